import CleoDomain
import Foundation

/// Where `serve` keeps its `ServiceState`: `console.db.serve-state` beside the database, so every
/// console on that database finds it (and a support user who may read the database may read it).
public enum ServiceStateFile {
    public static func path(forDatabase database: String) -> String { database + ".serve-state" }

    /// The last state a serve wrote for this database; nil when none ever ran (or the file is torn).
    public static func read(forDatabase database: String) -> ServiceState? {
        guard let data = FileManager.default.contents(atPath: path(forDatabase: database)), data.count < 4_096 else { return nil }
        return ServiceState.decode(Array(data))
    }
}
