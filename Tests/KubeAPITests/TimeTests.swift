import Testing
@testable import KubeAPI

@Suite struct TimeTests {
    @Test func formatAndParse() {
        let t = Time(rfc3339: "2026-11-24T16:35:14Z")!
        #expect(t.rfc3339 == "2026-11-24T16:35:14Z")
        #expect(Time(seconds: 0).rfc3339 == "1970-01-01T00:00:00Z")
        #expect(Time(seconds: 951_782_400).rfc3339 == "2000-02-29T00:00:00Z")
        #expect(Time(rfc3339: "2026-11-24T18:35:14+02:00") == t)
        #expect(Time(rfc3339: "2026-11-24T16:35:14.999Z") == t)
        #expect(Time(rfc3339: "2026-11-24 16:35:14") == nil)
        #expect(Time(rfc3339: "2026-13-24T16:35:14Z") == nil)
        #expect(Time(seconds: -1).rfc3339 == "1969-12-31T23:59:59Z")
        let m = MicroTime(rfc3339: "2026-11-24T16:35:14.123456Z")!
        #expect(m.rfc3339 == "2026-11-24T16:35:14.123456Z")
        #expect(MicroTime(rfc3339: "2026-11-24T16:35:14Z")!.rfc3339 == "2026-11-24T16:35:14.000000Z")
    }
}
