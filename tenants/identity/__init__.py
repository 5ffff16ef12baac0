"""Who may act in a tenant: people (users) and integrators (API keys), their roles, tokens and credential checks."""
