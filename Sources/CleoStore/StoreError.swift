/// Errors of the store that an operator can act on; each says what to do.
public enum StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    case keyFileMissing(path: String)
    case keyFileWrong(path: String)
    case keyFileUnreadable(path: String, reason: String)
    case cannotCreate(path: String, reason: String)
    case configChangedSince(version: Int64, by: String?, at: Int64?)

    public var description: String {
        switch self {
        case .keyFileMissing(let path):
            "the key file \(path) is missing, but this database holds secrets sealed with it: restore the file (or pass --key-file / CLEO_CONSOLE_KEY_FILE), nothing was changed"
        case .keyFileWrong(let path):
            "the key file \(path) does not open this database's secrets: pass the right one with --key-file / CLEO_CONSOLE_KEY_FILE; nothing was changed"
        case .keyFileUnreadable(let path, let reason):
            "cannot read the key file \(path): \(reason)"
        case .cannotCreate(let path, let reason):
            "cannot create \(path): \(reason)"
        case .configChangedSince(let version, let by, _):
            "the configuration was changed by \(by ?? "someone") since it was loaded (now version \(version)); reload and apply again"
        }
    }
}
