import APIServer
import KubeAPI

/// The filters every request passes before the API handler, in kube-apiserver's order:
/// authentication, then authorization, then the handler.
public struct RequestPipeline: Sendable {
    public var handler: any APIHandler
    public var tokens: StaticTokens

    public init(handler: any APIHandler, tokens: StaticTokens) {
        self.handler = handler
        self.tokens = tokens
    }

    func respond(to received: RequestAssembler.Received, certificate: CertificateIdentity?) async -> APIResponse {
        let authorization = received.headers.first { $0.name == "authorization" }?.value
        let user: UserInfo
        switch Authenticator.authenticate(certificate: certificate, authorization: authorization, tokens: tokens) {
        case .failed:
            return Self.unauthorized
        case .anonymous:
            guard Authenticator.anonymousMayRequest(method: received.method, path: received.path) else {
                return Self.unauthorized
            }
            user = .anonymous
        case .authenticated(let who):
            user = who
            let info = RequestInfo.parse(method: received.method, path: received.path, query: received.query)
            if case .deny(let status) = Authorizer.decide(user: who, request: info) {
                var response = StatusBody.response(status)
                response.headers.append(("x-content-type-options", "nosniff"))
                return response
            }
        }
        // The credential stays at the door, as kube-apiserver strips it once authenticated.
        let headers = received.headers.filter { $0.name != "authorization" }
        let request = APIRequest(method: received.method, path: received.path, query: received.query,
                                 headers: headers, body: received.body, user: user)
        return await handler.handle(request)
    }

    static var unauthorized: APIResponse {
        StatusBody.response(Status(status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401))
    }
}
