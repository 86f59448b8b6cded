// Proxy module.
