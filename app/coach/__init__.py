"""The coaching layer: routine, safety rules, history (SQLite), progress and reports. Qt-free."""
