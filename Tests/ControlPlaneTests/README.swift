// Tests for the module of the same name; see Package.swift.
