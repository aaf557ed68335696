"""Letters by e-mail: RFC 5322 messages (eml), sending (smtp), the mailbox intake (imap), and
what was sent for which state (state), each a module of its own."""
