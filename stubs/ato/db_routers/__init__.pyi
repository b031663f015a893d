# Generated from src/ato by stubs/generate.py; edit the source, then rerun it.
