// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "cleo-console",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cleo-console", targets: ["cleo-console"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // ncursesw behind our own shim: the wide API on, Swift-6-hostile globals and macros wrapped.
        .systemLibrary(
            name: "CNcursesw",
            pkgConfig: "ncursesw",
            providers: [.apt(["libncursesw5-dev"]), .brew(["ncurses"])]
        ),
        // The provider's rules: pure, no I/O, no clock.
        .target(name: "CleoDomain", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // The ingest path's vocabulary and pure decisions, and the sink protocol the store implements.
        .target(name: "CleoIngest", dependencies: ["CleoDomain"]),
        // The database: migrations, intention-named writes, reads; the only importer of GRDB.
        .target(name: "CleoStore", dependencies: [
            "CleoDomain", "CleoIngest",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The Mozarto platform over HTTP (the cashier call); answers are normalised in CleoDomain.
        .target(name: "CleoPlatform", dependencies: [
            "CleoDomain", "CleoStore", "TerminalCanvas",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // Tails the events log into the store: inotify wake-ups, rotation, truncation, batches.
        .target(name: "CleoFollower", dependencies: ["CleoDomain", "CleoIngest"]),
        // serve: the webhook receiver (HTTP, compact line, group-commit append) beside the follower.
        .target(name: "CleoService", dependencies: [
            "CleoDomain", "CleoStore", "CleoFollower", "TerminalCanvas",
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOExtras", package: "swift-nio-extras"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // The cell grid, widgets, text width and sanitising: pure.
        .target(name: "TerminalCanvas"),
        // The ncursesw backend; the only importer of CNcursesw.
        .target(name: "TerminalCurses", dependencies: ["CNcursesw", "TerminalCanvas"]),
        // The pure core of the console: state, actions, effects, reduce, one file per screen.
        .target(name: "ConsoleUI", dependencies: ["CleoDomain", "CleoIngest", "TerminalCanvas"]),
        // The loop, the effect runner and the wiring of follower and observations.
        .target(name: "ConsoleRuntime", dependencies: ["CleoDomain", "CleoStore", "CleoPlatform", "CleoIngest", "CleoFollower", "ConsoleUI", "TerminalCanvas", "TerminalCurses"]),
        .executableTarget(
            name: "cleo-console",
            dependencies: [
                "CleoDomain", "CleoStore", "CleoFollower", "TerminalCanvas", "ConsoleUI", "ConsoleRuntime", "CleoService", "CleoPlatform",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // make bench: benchmarks that print figures (never run by make test).
        .executableTarget(name: "cleo-bench", dependencies: [
            "CleoDomain", "CleoStore", "CleoFollower", "ConsoleUI", "ConsoleRuntime", "TerminalCanvas",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "CleoDomainTests", dependencies: ["CleoDomain", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "ConsoleUITests", dependencies: ["ConsoleUI", "TerminalCanvas", "CleoDomain", "CleoIngest"]),
        .testTarget(name: "ServiceTests", dependencies: [
            "CleoService", "CleoDomain", "CleoStore", "CleoFollower",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "CNcurseswTests", dependencies: ["CNcursesw"]),
        // The ingest core's decisions and the follower against an in-memory sink; the store's
        // write protocol against real SQLite files.
        .testTarget(name: "IngestTests", dependencies: ["CleoIngest", "CleoFollower", "CleoDomain"]),
        .testTarget(name: "StoreTests", dependencies: ["CleoStore", "CleoIngest", "CleoDomain"]),
        // The console's loop on a recording terminal, against a real database and log.
        .testTarget(name: "ConsoleRuntimeTests", dependencies: ["ConsoleRuntime", "ConsoleUI", "TerminalCanvas", "CleoStore", "CleoDomain"]),
        // Drives the real binary against real files (needs the executable built first).
        .testTarget(name: "CLITests", dependencies: ["cleo-console", "CleoStore", "CleoFollower"]),
    ],
    swiftLanguageModes: [.v6]
)
