import KubeAPI

/// kube's `ControllerRefManager.ClaimPods`: which pods a controller owns, which orphans it adopts
/// (selector matches, nobody controls them) and which of its pods it releases (labels stopped matching).
public struct PodClaims: Sendable {
    public var owned: [Pod] = []
    /// Orphans to adopt, already carrying the new controller reference.
    public var adopt: [Pod] = []
    /// Owned pods whose labels no longer match, with the controller reference removed.
    public var release: [Pod] = []

    public init(owner: ObjectMeta, ownerRef: OwnerReference, selector: Selector, pods: [Pod]) {
        let uid = owner.uid ?? ""
        let ownerDeleting = owner.deletionTimestamp != nil
        for pod in pods {
            let matches = selector.matches(pod.metadata.labels)
            if let ref = pod.metadata.controllerRef {
                guard ref.uid == uid else { continue }
                if matches {
                    owned.append(pod)
                } else if !ownerDeleting {
                    var p = pod
                    p.metadata.ownerReferences = p.metadata.ownerReferences?.filter { $0.uid != uid }
                    release.append(p)
                }
                continue
            }
            guard matches, !ownerDeleting, pod.metadata.deletionTimestamp == nil else { continue }
            var p = pod
            p.metadata.ownerReferences = (p.metadata.ownerReferences ?? []) + [ownerRef]
            adopt.append(p)
            owned.append(p)
        }
    }
}

extension OwnerReference {
    /// The controller reference a controller writes on what it creates or adopts.
    public static func controller(apiVersion: String, kind: String, _ meta: ObjectMeta) -> OwnerReference {
        OwnerReference(apiVersion: apiVersion, kind: kind, name: meta.name ?? "", uid: meta.uid ?? "",
                       controller: true, blockOwnerDeletion: true)
    }
}
