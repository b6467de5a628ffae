"""The desktop window (PyQt6): live coaching and replay review. The only part of HipCoach that imports Qt."""
