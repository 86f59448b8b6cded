// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "swiftlet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "swiftlet", targets: ["swiftlet"]),
        // The OCI runtime CLI alone, as runc beside containerd: what a node's agent execs per
        // container operation. It must not link the control plane (NIO, TLS, gRPC, protobuf).
        .executable(name: "swiftlet-runtime", targets: ["swiftlet-runtime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
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
        // The C layer (Sources/CSystem): the clone→exec path of a container and small syscall shims.
        // Named SwiftletCSystem because swift-system (under swift-nio) already has a target "CSystem".
        .target(
            name: "SwiftletCSystem",
            dependencies: ["CSeccomp", "CCap"],
            path: "Sources/CSystem",
            exclude: ["modules"],
            sources: ["src"],
            cSettings: [.define("_GNU_SOURCE")]
        ),
        .target(name: "KubeAPI", dependencies: [.product(name: "Logging", package: "swift-log")]),
        // The buffered channel the control plane's hot paths use instead of AsyncStream (whose
        // unspecialized storage cost a quarter of the API server's CPU under the scheduler benchmark).
        .target(name: "Channels", dependencies: [.product(name: "DequeModule", package: "swift-collections")]),
        // The container runtime and the image store: everything `swiftlet-runtime` links. Keep it
        // off KubeAPI (and anything larger): each dependency's code and Swift metadata is loaded
        // by every container start (KubeAPI alone has more symbols than NodeAgent).
        .target(
            name: "NodeAgent",
            dependencies: [
                "SwiftletCSystem", "CSeccomp", "CCap", "CNetlink", "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "Proxy", dependencies: ["KubeAPI", "SwiftletCSystem", .product(name: "Logging", package: "swift-log")]),
        // The control plane, one target per part so each builds (and is tested) on its own:
        //   Store      Raft, MVCC, WAL and the member that drives them; the KeyValueClient protocol
        //   EtcdAPI    the etcd v3 API over gRPC: the server for a Store member, and a client
        //   APIServer  the Kubernetes API as request -> response (registry, watch cache, admission)
        //   Scheduler, Controllers  list+watch loops through KubeClient
        //   ControlPlane  `swiftlet server`: HTTPS, PKI, kubeconfig, and the wiring of all of the above
        .target(
            name: "Store",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/ControlPlane/Store"
        ),
        .target(
            name: "EtcdAPI",
            dependencies: [
                "Store",
                "Channels",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Sources/ControlPlane/EtcdAPI",
            exclude: ["Proto"]
        ),
        .target(
            name: "APIServer",
            dependencies: ["KubeAPI", "Store", "Channels", .product(name: "Logging", package: "swift-log")],
            path: "Sources/ControlPlane/APIServer"
        ),
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeAPI", "Channels",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "Scheduler",
            dependencies: ["KubeAPI", "KubeClient", "Channels", .product(name: "Logging", package: "swift-log")],
            path: "Sources/ControlPlane/Scheduler"
        ),
        .target(
            name: "Controllers",
            dependencies: ["KubeAPI", "KubeClient", .product(name: "Logging", package: "swift-log")],
            path: "Sources/ControlPlane/Controllers"
        ),
        .target(
            name: "ControlPlane",
            dependencies: [
                "KubeAPI", "Store", "EtcdAPI", "APIServer", "KubeClient", "Scheduler", "Controllers", "Channels",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Sources/ControlPlane/Server"
        ),
        // The runtime CLI's commands, shared by `swiftlet-runtime` and `swiftlet runtime` (which forwards).
        .target(
            name: "RuntimeCLI",
            dependencies: [
                "NodeAgent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "swiftlet-runtime",
            dependencies: ["RuntimeCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "swiftlet",
            dependencies: [
                "NodeAgent", "RuntimeCLI", "Proxy", "ControlPlane", "Store", "EtcdAPI", "KubeAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "KubeAPITests", dependencies: ["KubeAPI"]),
        .testTarget(name: "ChannelsTests", dependencies: ["Channels"]),
        .testTarget(name: "NodeAgentTests", dependencies: ["NodeAgent", "SwiftletCSystem"]),
        .testTarget(name: "RuntimeCLITests", dependencies: ["RuntimeCLI"]),
        // Needs root: real namespaces, cgroups and mounts. `make test` runs it as root.
        .testTarget(name: "NodeAgentRootTests", dependencies: ["NodeAgent", "SwiftletCSystem"]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(
            name: "EtcdAPITests",
            dependencies: [
                "EtcdAPI", "Store",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(name: "APIServerTests", dependencies: ["APIServer", "KubeAPI", "Store", "Channels"]),
        // A real HTTPS server on loopback (NIO + NIOSSL) stands opposite the client's transport.
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "KubeClient", "KubeAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler", "KubeAPI"]),
        .testTarget(name: "ControllersTests", dependencies: ["Controllers", "KubeAPI"]),
        // End to end: `swiftlet server` / `swiftlet store` as real processes, driven by kubectl and etcdctl.
        .testTarget(name: "ControlPlaneTests", dependencies: ["ControlPlane", "KubeAPI", "KubeClient", "Channels"], exclude: ["Fixtures"]),
    ]
)
