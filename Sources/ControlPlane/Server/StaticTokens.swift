/// Kubernetes' `--token-auth-file`: CSV records `token,user,uid[,"group1,group2"]`, as the static token
/// authenticator reads them (encoding/csv rules: quoted fields, `""` escapes, blank lines skipped;
/// a record with an empty token is skipped; a later duplicate wins).
public struct StaticTokens: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var user: String
        public var uid: String
        public var groups: [String]
    }

    public enum ParseError: Error, Hashable, CustomStringConvertible {
        case tooFewColumns(record: Int, found: Int)
        case unterminatedQuote(record: Int)

        public var description: String {
            switch self {
            case .tooFewColumns(let record, let found):
                "token file record \(record) must have at least 3 columns (token, user name, user uid), found \(found)"
            case .unterminatedQuote(let record):
                "token file record \(record): quoted field not terminated"
            }
        }
    }

    public private(set) var entries: [String: Entry] = [:]

    public init() {}

    public init(csv text: String) throws(ParseError) {
        let records = try Self.records(text)
        for (index, record) in records.enumerated() {
            guard record.count >= 3 else { throw .tooFewColumns(record: index + 1, found: record.count) }
            guard !record[0].isEmpty else { continue }
            let groups = record.count >= 4 ? record[3].split(separator: ",", omittingEmptySubsequences: false).map(String.init) : []
            entries[record[0]] = Entry(user: record[1], uid: record[2], groups: groups)
        }
    }

    public func lookup(_ token: String) -> Entry? { entries[token] }

    /// Splits CSV text into records of fields; blank lines produce no record.
    static func records(_ text: String) throws(ParseError) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var scalars = Array(text.unicodeScalars)
        scalars.removeAll { $0 == "\r" }
        var i = 0
        func endRecord() {
            if !(record.isEmpty && field.isEmpty && !fieldWasQuoted) {
                record.append(field)
                records.append(record)
            }
            record = []
            field = ""
            fieldWasQuoted = false
        }
        while i < scalars.count {
            let c = scalars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < scalars.count && scalars[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                inQuotes = true
                fieldWasQuoted = true
            } else if c == "," {
                record.append(field)
                field = ""
                fieldWasQuoted = false
            } else if c == "\n" {
                endRecord()
            } else {
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if inQuotes { throw .unterminatedQuote(record: records.count + 1) }
        endRecord()
        return records
    }
}
