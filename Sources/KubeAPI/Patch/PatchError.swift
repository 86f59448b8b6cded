/// Why a PATCH could not be applied, shaped as kube-apiserver reports it: `reason` and `code` are the
/// Status the request ends with, `detail` is what the patch library said. For 422 the apiserver
/// (`NewGenericServerResponse`) replaces the detail with a generic message; `status` reproduces that.
public struct PatchError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: String, Hashable, Sendable {
        /// 400: the patch document itself is malformed (bad JSON patch, bad directive format).
        case badRequest = "BadRequest"
        /// 422: a well-formed patch that does not apply (JSON patch test failed, missing path,
        /// lists of lists in a strategic merge patch).
        case invalid = "Invalid"
        /// 413: more JSON patch operations than the apiserver accepts.
        case requestEntityTooLarge = "RequestEntityTooLarge"
        /// 500 with reason Unknown: what the strategic merge code returns as a plain Go error
        /// (e.g. a missing merge key); the apiserver passes its text through as the message.
        case unknown = "Unknown"
    }

    public var reason: Reason
    public var detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var code: Int32 {
        switch reason {
        case .badRequest: 400
        case .invalid: 422
        case .requestEntityTooLarge: 413
        case .unknown: 500
        }
    }

    /// The `Status` message kube-apiserver sends for this error.
    public var message: String {
        reason == .invalid ? "the server rejected our request due to an error in our request" : detail
    }

    /// The Status body the API server answers with. 422 carries an empty `details` object, as Go's does.
    public var status: Status {
        Status.failure(reason.rawValue, code, message, reason == .invalid ? StatusDetails() : nil)
    }

    public var description: String { detail }
}

extension PatchError {
    // mergepatch's sentinel errors, with the apiserver's mapping (interpretStrategicMergePatchError).
    static let badPatchFormatForPrimitiveList = PatchError(.badRequest, "invalid patch format of primitive list")
    static let badPatchFormatForRetainKeys = PatchError(.badRequest, "invalid patch format of retainKeys")
    static let badPatchFormatForSetElementOrderList =
        PatchError(.badRequest, "invalid patch format of setElementOrder list")
    static let noListOfLists = PatchError(.invalid, "lists of lists are not supported")

    static func noMergeKey(_ object: [String: JSONValue], _ key: String) -> PatchError {
        PatchError(.unknown, "map: \(GoFormat.value(.object(object))) does not contain declared merge key: \(key)")
    }

    static func badArgType(expected: String, _ actual: JSONValue?) -> PatchError {
        PatchError(.unknown, "expected a \(expected), but received a \(GoFormat.typeName(actual))")
    }

    static func badPatchType(_ directive: JSONValue, _ object: [String: JSONValue]) -> PatchError {
        PatchError(.unknown,
                   "unknown patch type: \(GoFormat.stringVerb(directive)) in map: \(GoFormat.value(.object(object)))")
    }
}
