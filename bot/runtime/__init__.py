"""Running the assistant: settings, processes, the Rasa server entry point, training."""
