import FoundationEssentials

/// `kubectl get deployments` and `replicasets`.
enum WorkloadPrinters {
    static let containersColumn = TableColumn("Containers", priority: 1, "Names of each container in the template.")
    static let imagesColumn = TableColumn("Images", priority: 1, "Images referenced by each container in the template.")
    static let selectorColumn = TableColumn("Selector", priority: 1, "The label query over pods the controller owns.")

    /// NAME, READY ("ready/desired"), UP-TO-DATE, AVAILABLE, AGE; wide CONTAINERS, IMAGES, SELECTOR.
    static let deployments = ResourcePrinter(
        columns: [
            TableColumn.name,
            TableColumn("Ready", "Number of the pod with ready state"),
            TableColumn("Up-to-date", "Pods updated to the current template (status.updatedReplicas)."),
            TableColumn("Available", "Pods ready for at least minReadySeconds (status.availableReplicas)."),
            TableColumn.age, containersColumn, imagesColumn, selectorColumn,
        ],
        row: { d, now in
            // spec.replicas defaults to 1 on the server; an object read before defaulting prints the same.
            let desired = d.value(at: ["spec", "replicas"])?.integerValue ?? 1
            let (names, images) = PrinterFormat.containers(d.array("spec", "template", "spec", "containers"))
            return PrintedRow(cells: [
                .string(d.name), .string("\(d.int("status", "readyReplicas"))/\(desired)"),
                .integer(d.int("status", "updatedReplicas")), .integer(d.int("status", "availableReplicas")),
                d.age(now), .string(names), .string(images),
                .string(PrinterFormat.selector(d.value(at: ["spec", "selector"]))),
            ])
        })

    /// NAME, DESIRED, CURRENT, READY, AGE; wide CONTAINERS, IMAGES, SELECTOR.
    static let replicaSets = ResourcePrinter(
        columns: [
            TableColumn.name,
            TableColumn("Desired", type: "integer", "The number of pods wanted (spec.replicas)."),
            TableColumn("Current", type: "integer", "The number of pods that exist (status.replicas)."),
            TableColumn("Ready", type: "integer", "The number of ready pods (status.readyReplicas)."),
            TableColumn.age, containersColumn, imagesColumn, selectorColumn,
        ],
        row: { rs, now in
            let desired = rs.value(at: ["spec", "replicas"])?.integerValue ?? 1
            let (names, images) = PrinterFormat.containers(rs.array("spec", "template", "spec", "containers"))
            return PrintedRow(cells: [
                .string(rs.name), .integer(desired), .integer(rs.int("status", "replicas")),
                .integer(rs.int("status", "readyReplicas")), rs.age(now), .string(names), .string(images),
                .string(PrinterFormat.labelSelector(rs.value(at: ["spec", "selector"]))),
            ])
        })
}
