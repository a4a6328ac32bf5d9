"""The assistant's content: translations, rules, the generated domain responses, YAML reading."""
