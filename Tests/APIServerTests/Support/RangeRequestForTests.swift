import Store

enum RangeRequestForTests {
    /// A read of nothing, for the header revision.
    static func head() -> RangeRequest { RangeRequest(key: Array("/registry/none".utf8)) }
}
