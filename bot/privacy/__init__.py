"""Privacy: redaction of personal data, log redaction, retention, privacy settings."""
