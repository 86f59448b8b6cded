// KubeAPI module.
