"""The concept modules. Each ``test_*.py`` teaches one concept; each spec in it proves one claim."""
