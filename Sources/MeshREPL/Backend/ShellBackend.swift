import MeshCore

/// What the shell needs from the engine: run a statement, say which mesh is current, and name
/// meshes, products and columns for tab completion. The engine's session conforms.
///
/// Meta-commands that only list or describe are sent as SQL: `\dm` runs `SHOW MESHES`,
/// `\dp [mesh]` runs `SHOW DATA PRODUCTS [IN mesh]`, `\d mesh.product` runs
/// `DESCRIBE mesh.product`. Others (`\as …`) go to `metaCommand(_:argument:)`.
public protocol ShellBackend: AnyObject, Sendable {
    /// Runs one statement (no trailing `;`). Throws `MeshError` with a location relative to
    /// `sql` for errors the user should see with a caret. Called from a task that the shell
    /// cancels on Ctrl-C; cancellation must reach the sources.
    func execute(_ sql: String) async throws -> ShellOutcome

    /// The current mesh (after `USE mesh`), shown in the prompt: `meshql:sales=>`.
    var promptMesh: String? { get }
    /// Who the statements run as, when not the local superuser: `meshql(alice@acme.com)=>`.
    var promptIdentity: String? { get }

    /// Mesh names visible to the session. Called on the line-editor thread while the user
    /// presses Tab, so it must answer quickly and without awaiting — a cached snapshot is fine.
    func meshNames() -> [String]
    /// Product names of a mesh (same threading rules as `meshNames`); empty if unknown.
    func productNames(mesh: String) -> [String]
    /// Column names of a product (same threading rules as `meshNames`); empty if unknown.
    func columnNames(mesh: String, product: String) -> [String]

    /// The names that fit where the cursor is. The default combines `meshNames`,
    /// `productNames` and `columnNames`; SQL keywords are added by the shell, not here.
    /// The shell filters by prefix (case-insensitively), so return every candidate.
    func completionWords(context: CompletionContext) -> [String]

    /// A backslash command the shell does not know itself, e.g. `\as alice@acme.com role
    /// analyst`: `name` is `as`, `argument` the rest of the line, trimmed. Return nil for an
    /// unknown command (the shell then says `invalid command \name`). Default: nil.
    func metaCommand(_ name: String, argument: String) async throws -> ShellOutcome?
}

/// Where the word being completed stands.
public enum CompletionContext: Sendable, Hashable {
    /// Right after `mesh.`: the products of that mesh.
    case product(mesh: String)
    /// Right after `mesh.product.` (or `product.` / `alias.` resolving to one): its columns.
    case column(mesh: String, product: String)
    /// Anywhere else: mesh names, the current mesh's products, and the columns of the
    /// products the statement mentions so far.
    case word(currentMesh: String?, mentioned: [ProductReference])
}

/// A `mesh.product` named in the statement being typed.
public struct ProductReference: Sendable, Hashable {
    public var mesh: String
    public var product: String

    public init(mesh: String, product: String) {
        self.mesh = mesh
        self.product = product
    }
}

extension ShellBackend {
    public func completionWords(context: CompletionContext) -> [String] {
        switch context {
        case .product(let mesh):
            return productNames(mesh: mesh)
        case .column(let mesh, let product):
            return columnNames(mesh: mesh, product: product)
        case .word(let currentMesh, let mentioned):
            var words = meshNames()
            if let currentMesh { words += productNames(mesh: currentMesh) }
            for ref in mentioned { words += columnNames(mesh: ref.mesh, product: ref.product) }
            return words
        }
    }

    public func metaCommand(_ name: String, argument: String) async throws -> ShellOutcome? { nil }
    public var promptIdentity: String? { nil }
}
