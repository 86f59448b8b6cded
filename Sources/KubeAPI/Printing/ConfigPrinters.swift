import FoundationEssentials

/// `kubectl get configmaps`, `secrets` and `serviceaccounts`.
enum ConfigPrinters {
    /// NAME, DATA (keys in data and binaryData), AGE.
    static let configMaps = ResourcePrinter(
        columns: [TableColumn.name, TableColumn("Data", "The number of keys in the config map."), TableColumn.age],
        row: { cm, now in
            PrintedRow(cells: [.string(cm.name), .integer(Int64(cm.object("data").count + cm.object("binaryData").count)),
                               cm.age(now)])
        })

    /// NAME, TYPE, DATA, AGE.
    static let secrets = ResourcePrinter(
        columns: [TableColumn.name, TableColumn("Type", "The type of the secret."),
                  TableColumn("Data", "The number of keys in the secret."), TableColumn.age],
        row: { s, now in
            PrintedRow(cells: [.string(s.name), .string(s.string("type") ?? ""),
                               .integer(Int64(s.object("data").count)), s.age(now)])
        })

    /// NAME, SECRETS, AGE.
    static let serviceAccounts = ResourcePrinter(
        columns: [TableColumn.name, TableColumn("Secrets", "The number of secrets the service account lists."),
                  TableColumn.age],
        row: { sa, now in
            PrintedRow(cells: [.string(sa.name), .integer(Int64(sa.array("secrets").count)), sa.age(now)])
        })
}
