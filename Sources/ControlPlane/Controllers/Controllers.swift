// The controllers (ReplicaSet, Deployment, EndpointSlice, garbage collector, namespace, node lifecycle,
// node IPAM): list+watch loops with work queues, talking only to the API server.
