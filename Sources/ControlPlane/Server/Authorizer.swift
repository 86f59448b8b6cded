import APIServer
import KubeAPI

/// The authorization the server ships with until RBAC lands: `system:masters` may do anything; every
/// authenticated user may read what Kubernetes' default `system:discovery` and
/// `system:public-info-viewer` roles allow (discovery, OpenAPI, health, version), so that kubectl
/// can find resources and then be told precisely what it may not do.
enum Authorizer {
    static let mastersGroup = "system:masters"

    enum Decision: Hashable, Sendable {
        case allow
        case deny(Status)
    }

    static func decide(user: UserInfo, request: RequestInfo) -> Decision {
        if user.groups.contains(mastersGroup) { return .allow }
        if !request.isResourceRequest && (request.verb == "get" || request.verb == "head")
            && isDiscoveryPath(request.path) {
            return .allow
        }
        return .deny(forbidden(user: user, request: request))
    }

    /// Non-resource paths the default discovery and public-info roles grant.
    static func isDiscoveryPath(_ path: String) -> Bool {
        let exact: Set<String> = ["/api", "/apis", "/healthz", "/livez", "/readyz", "/version", "/version/", "/openapi"]
        if exact.contains(path) { return true }
        return ["/api/", "/apis/", "/openapi/"].contains { path.hasPrefix($0) }
    }

    /// `responsewriters.Forbidden`: the message names the user, verb and resource as RBAC denials do.
    static func forbidden(user: UserInfo, request: RequestInfo) -> Status {
        guard request.isResourceRequest else {
            return Status.forbidden(nil, "User \"\(user.name)\" cannot \(request.verb) path \"\(request.path)\"")
        }
        var resource = request.resource
        if !request.subresource.isEmpty { resource += "/" + request.subresource }
        let why: String
        if !request.namespace.isEmpty {
            why = "User \"\(user.name)\" cannot \(request.verb) resource \"\(resource)\" in API group \"\(request.apiGroup)\" in the namespace \"\(request.namespace)\""
        } else {
            why = "User \"\(user.name)\" cannot \(request.verb) resource \"\(resource)\" in API group \"\(request.apiGroup)\" at the cluster scope"
        }
        return Status.forbidden(GroupResource(group: request.apiGroup, resource: request.resource),
                                name: request.name, why)
    }
}
