"""Settings: the typed model and the settings files it is read from."""
