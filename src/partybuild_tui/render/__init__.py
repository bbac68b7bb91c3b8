"""Presentation shared by the CLI and the app: rich renderables of core results."""
