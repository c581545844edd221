"""Pages of admissions, one module per thing a person does there."""
