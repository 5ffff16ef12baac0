"""The security audit log of a tenant: who did what to which object, when and from where."""
