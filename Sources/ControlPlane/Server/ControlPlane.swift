// `swiftlet server`: HTTPS serving with the cluster PKI, authentication, the admin kubeconfig, and the
// wiring of the store member, the API server, the scheduler and the controllers into one process.
