"""NLU components: tokenizer with spelling normalisation, language identification, guards."""
