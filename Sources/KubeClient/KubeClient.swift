// A client of the Kubernetes API (client-go's role): kubeconfig, HTTPS with client certificates or
// tokens, typed get/list/watch/create/update/patch/delete, informers, work queues, leader election.
