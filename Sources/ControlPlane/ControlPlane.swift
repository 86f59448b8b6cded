// ControlPlane module.
