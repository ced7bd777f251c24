"""The way in and out: importing contacts and deals from other tools, exporting everything a
team owns, backing up and restoring the database (docs/transfer.md)."""
