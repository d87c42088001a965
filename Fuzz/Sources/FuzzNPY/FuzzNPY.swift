import Attune
import FuzzDriver

/// libFuzzer's entry point: decode the bytes as an `.npy` file, and if they decode, encode and
/// decode again, which must give the same array.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let array = try? NPY.decode(bytes) else { return 0 }
  let again = try? NPY.decode(NPY.encode(array))
  if again?.shape != array.shape || again?.values.count != array.values.count {
    fatalError("an .npy array did not survive encoding: \(array.shapeDescription)")
  }
  return 0
}

/// The executable's entry point under SwiftPM (which links `main` to `<target>_main`).
@_cdecl("FuzzNPY_main")
public func fuzzNPYMain(
  _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
  runFuzzer(argc, argv, fuzzNPY)
}
