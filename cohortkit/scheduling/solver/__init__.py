"""Section scheduling solver: a pure library with no Django import."""
