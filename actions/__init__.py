"""Custom actions (rasa-sdk), one module per topic."""
