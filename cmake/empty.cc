// Placeholder for a component folder with no sources yet.
