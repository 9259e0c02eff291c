"""The example app's package; see ../app.py."""
