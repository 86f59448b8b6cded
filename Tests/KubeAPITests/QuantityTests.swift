import Testing
import FoundationEssentials
@testable import KubeAPI

@Suite struct QuantityTests {
    static let canonical: [(String, String)] = [
        ("0", "0"), ("-0", "0"), ("0Mi", "0"), ("100m", "100m"), ("0.5", "500m"), ("1", "1"), ("1k", "1k"),
        ("1000", "1k"), ("1Ki", "1Ki"), ("1024", "1024"), ("128Mi", "128Mi"), ("1G", "1G"), ("1e3", "1e3"),
        ("1E3", "1e3"), ("1E", "1E"), ("1.5Gi", "1536Mi"), ("-1", "-1"), ("-100m", "-100m"), ("1500m", "1500m"),
        ("1.5", "1500m"), ("1024Mi", "1Gi"), ("1000k", "1M"), ("0.1", "100m"), ("0.5Ki", "512"),
        ("0.5Mi", "512Ki"), ("1.1Ki", "1126400m"), ("1n", "1n"), ("0.1n", "1n"), ("1.5n", "2n"),
        ("-0.1n", "-1n"), ("1u", "1u"), ("1000u", "1m"), ("12e6", "12e6"), ("1.5e3", "1500"),
        ("100e-3", "100e-3"), ("1Ei", "1Ei"), ("8Ei", "9223372036854775807"), ("+1", "1"), ("010", "10"),
        ("1.0", "1"), ("1.000Gi", "1Gi"), ("2048Ki", "2Mi"), ("1025Ki", "1025Ki"), ("-1Ki", "-1Ki"),
        ("-1.5Gi", "-1536Mi"), (".5", "500m"), ("5.", "5"), ("1T", "1T"), ("1P", "1P"), ("2000P", "2E"),
        ("12345678901234567890", "12345678901234567890"), ("250M", "250M"), ("0.000001", "1u"),
        ("1e-9", "1e-9"), ("1e-12", "1e-9"), ("3e0", "3"), ("1500e-3", "1500e-3"), ("1.5Ki", "1536"),
        ("4096Ti", "4Pi"), ("0.25", "250m"), ("1.000000001", "1000000001n"),
    ]

    @Test(arguments: canonical)
    func canonicalForm(_ input: String, _ expected: String) throws {
        let q = try Quantity.parse(input)
        #expect(q.description == expected, "\(input)")
        // The canonical form parses back to the same value and prints the same.
        let again = try Quantity.parse(q.description)
        #expect(again == q)
        #expect(again.description == expected)
    }

    /// Cases from apimachinery's quantity_test.go (TestQuantityParse, ParseEmit, String alternates),
    /// with the canonical strings Kubernetes prints for them.
    static let upstream: [(String, String)] = [
        ("0n", "0"), ("0Ki", "0"), ("8Ki", "8Ki"), ("7Mi", "7Mi"), ("6Gi", "6Gi"), ("5Ti", "5Ti"), ("4Pi", "4Pi"),
        ("3Ei", "3Ei"), ("100Ti", "100Ti"), ("5n", "5n"), ("4u", "4u"), ("3m", "3m"), ("8k", "8k"), ("50k", "50k"),
        ("40T", "40T"), ("300T", "300T"), ("1E-3", "1e-3"), ("1E6", "1e6"), ("1e14", "100e12"),
        ("100.035k", "100035"), ("0.0005k", "500m"), ("0.00500", "5m"), ("0.5e0", "500e-3"), ("0.5e-1", "50e-3"),
        ("10.035M", "10035k"), ("1.2e3", "1200"), ("1.3E+6", "1300e3"), ("1.40e9", "1400e6"), ("1.7E18", "1700e15"),
        ("9.01", "9010m"), ("8.1k", "8100"), ("7.123456M", "7123456"), ("6.987654321G", "6987654321"),
        ("5.444T", "5444G"), ("2.5P", "2500T"), ("1.01E", "1010P"), ("3.001n", "4n"), ("1.1E-9", "2e-9"),
        ("0.0000000005", "1n"), ("0.5e-9", "1e-9"), ("0.9n", "1n"), ("0.00000012345", "124n"),
        ("0.00000012354", "124n"), ("9Ei", "9223372036854775807"), ("9223372036854775807Ki", "9223372036854775807"),
        ("12E", "12E"), ("100.035Ki", "102435840m"), ("0.05Gi", "53687091200m"), ("0.025Ti", "27487790694400m"),
        ("0.000000000001Ki", "2n"), (".0001k", "100m"), ("1.", "1"), ("1.G", "1G"), (".001Ki", "1024m"),
        (".000001Ki", "1024u"), (".000000001Ki", "1024n"), ("1000M", "1G"), ("-.001Ki", "-1024m"),
        ("-.000000000001Ki", "-2n"), ("-1024Mi", "-1Gi"), ("307200Ki", "300Mi"), ("1025024Mi", "1001Gi"),
        ("1024Gi", "1Ti"), ("0.001T", "1G"), ("1.08", "1080m"), ("1080000000n", "1080m"), (".001e12", "1e9"),
        ("0.001e0", "1e-3"), ("1000e-12", "1e-9"), ("00", "0"), ("5000m", "5"), ("80e-3", "80e-3"), ("300e6", "300e6"),
    ]

    @Test(arguments: upstream)
    func upstreamCanonical(_ input: String, _ expected: String) throws {
        #expect(try Quantity.parse(input).description == expected, "\(input)")
        if !input.hasPrefix("-") { #expect(try Quantity.parse("+" + input).description == expected) }
    }

    static let invalid: [(String, QuantityError)] = [
        ("", .formatWrong), ("1K", .suffix), ("1.2.3", .formatWrong), ("abc", .formatWrong),
        ("1 Gi", .formatWrong), ("Gi", .formatWrong), ("1Gib", .formatWrong), ("1ii", .suffix), ("1e", .suffix),
        ("--1", .formatWrong), ("1e1.5", .formatWrong), ("1Mi5", .suffix), (" 1", .formatWrong),
        ("1m ", .formatWrong), (".", .formatWrong), ("1e100", .tooLarge), ("1x", .formatWrong),
        ("1.1.M", .formatWrong), ("1+1.0M", .formatWrong), ("0.1mi", .suffix), ("0.1am", .formatWrong),
        ("aoeu", .formatWrong), (".5i", .suffix), ("1i", .suffix), ("-3.01i", .suffix), ("-3.01e-", .suffix),
    ]

    @Test(arguments: invalid)
    func rejects(_ input: String, _ error: QuantityError) {
        #expect(throws: error) { try Quantity.parse(input) }
        #expect(Quantity(input) == nil)
    }

    @Test func errorMessages() {
        #expect(QuantityError.formatWrong.description
            == "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
        #expect(QuantityError.suffix.description == "unable to parse quantity's suffix")
    }

    static let values: [(String, Int64, Int64)] = [
        ("100m", 1, 100), ("1", 1, 1000), ("1.5", 2, 1500), ("-1.5", -2, -1500), ("1n", 1, 1), ("1Ki", 1024, 1_024_000),
        ("1M", 1_000_000, 1_000_000_000), ("250m", 1, 250), ("0", 0, 0), ("1.0001", 2, 1001), ("128Mi", 134_217_728, 134_217_728_000),
    ]

    @Test(arguments: values)
    func valueAndMilli(_ input: String, _ value: Int64, _ milli: Int64) throws {
        let q = try Quantity.parse(input)
        #expect(q.value == value)
        #expect(q.milliValue == milli)
    }

    @Test func scaledValue() throws {
        #expect(try Quantity.parse("1Gi").scaledValue(6) == 1074)
        #expect(try Quantity.parse("1500m").scaledValue(-3) == 1500)
        #expect(try Quantity.parse("1").scaledValue(-9) == 1_000_000_000)
    }

    @Test func arithmetic() throws {
        let q: (String) throws -> Quantity = { try Quantity.parse($0) }
        #expect((try q("1") + q("500m")).description == "1500m")
        #expect((try q("1Gi") - q("512Mi")).description == "512Mi")
        #expect((try q("100m") - q("200m")).description == "-100m")
        #expect((Quantity.zero + (try q("1Gi"))).description == "1Gi")
        #expect((try q("250m") * 4).description == "1")
        #expect(try q("1Gi") == q("1073741824"))
        #expect(try q("1k") < q("1Ki"))
        #expect(try q("-1") < q("0"))
        #expect(try q("1.5") > q("1499m"))
        #expect(try q("2").compare(q("2000m")) == 0)
        #expect(Set([try q("1Gi"), try q("1073741824")]).count == 1)
        var total = Quantity.zero
        for s in ["100m", "200m", "0.7"] { total += try q(s) }
        #expect(total == (try q("1")))
        #expect(Quantity(milli: 1500).description == "1500m")
        #expect(Quantity(3).description == "3")
        #expect(Quantity(2, format: .binarySI).description == "2")
        #expect(Quantity(2048, format: .binarySI).description == "2Ki")
    }

    @Test func resourceList() throws {
        let a: ResourceList = ["cpu": "500m", "memory": "1Gi"]
        let b: ResourceList = ["cpu": "1", "memory": "512Mi", "pods": "110"]
        #expect(a.cpu?.description == "500m")
        #expect(a.adding(b) == ["cpu": "1500m", "memory": "1536Mi", "pods": "110"])
        #expect(b.subtracting(a).memory?.description == "-512Mi")
        #expect(!a.fits(in: b))
        #expect(a.exceeding(b) == ["memory"])
        #expect(["cpu": "1"].fits(in: b))
        #expect(b.pods?.value == 110)
    }

    @Test func json() throws {
        let data = Array(#"{"cpu":"1.5","memory":"1024Mi","n":2,"f":0.5}"#.utf8)
        let r = try JSONDecoder().decode(ResourceList.self, from: Data(data))
        #expect(r["cpu"]?.description == "1500m")
        #expect(r["memory"]?.description == "1Gi")
        #expect(r["n"]?.description == "2")
        #expect(r["f"]?.description == "500m")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Quantity.self, from: Data(#""1K""#.utf8)) }
        let out = try JSONEncoder().encode(["cpu": Quantity("0.1")])
        #expect(String(decoding: out, as: UTF8.self) == #"{"cpu":"100m"}"#)
    }
}
