// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "swiftlet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "swiftlet", targets: ["swiftlet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // System libraries, bound through pkg-config so their include paths reach every importer.
        .systemLibrary(name: "CSeccomp", path: "Sources/CSystem/modules/CSeccomp", pkgConfig: "libseccomp",
                       providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CCap", path: "Sources/CSystem/modules/CCap", pkgConfig: "libcap",
                       providers: [.apt(["libcap-dev"])]),
        .systemLibrary(name: "CNetlink", path: "Sources/CSystem/modules/CNetlink", pkgConfig: "libnl-route-3.0",
                       providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]),
        // No pkgConfig: its `--libs` would link libcurl (and thirty libraries behind it) into
        // every start of the binary; the image puller loads it with dlopen instead.
        .systemLibrary(name: "CCurl", path: "Sources/CSystem/modules/CCurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        // The C layer: the clone→exec path of a container and small syscall shims.
        .target(
            name: "CSystem",
            dependencies: ["CSeccomp", "CCap"],
            path: "Sources/CSystem",
            exclude: ["modules"],
            sources: ["src"],
            cSettings: [.define("_GNU_SOURCE")]
        ),
        .target(name: "KubeAPI", dependencies: [.product(name: "Logging", package: "swift-log")]),
        .target(
            name: "NodeAgent",
            dependencies: [
                "CSystem", "CSeccomp", "CCap", "CNetlink", "CCurl", "KubeAPI",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "Proxy", dependencies: ["KubeAPI", "CSystem", .product(name: "Logging", package: "swift-log")]),
        .target(name: "ControlPlane", dependencies: ["KubeAPI", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "swiftlet",
            dependencies: [
                "NodeAgent", "Proxy", "ControlPlane", "KubeAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "KubeAPITests", dependencies: ["KubeAPI"]),
        .testTarget(name: "NodeAgentTests", dependencies: ["NodeAgent", "CSystem"]),
        // Needs root: real namespaces, cgroups and mounts. `make test` runs it as root.
        .testTarget(name: "NodeAgentRootTests", dependencies: ["NodeAgent", "CSystem"]),
        .testTarget(name: "ControlPlaneTests", dependencies: ["ControlPlane"]),
    ]
)
