"""The LibreOffice extension's sources (macros, menu, description), shipped as package data so
that an installed roadmap-office can build the .oxt; this file itself is not packed."""
