"""The headless commands, one module each: ``run(args) -> exit status`` for arguments parsed by app.cli_parser.

app.cli runs them (signals, logging, the one-line errors); none of them imports Qt.
"""
