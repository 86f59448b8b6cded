// The scheduler: binds each unscheduled pod to a node through `pods/binding`, from a snapshot of nodes
// and bound pods kept current by list+watch.
