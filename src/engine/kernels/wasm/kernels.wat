;; Convscope's WebAssembly SIMD kernels (128-bit SIMD), assembled by scripts/build-wasm.mjs with
;; wabt into src/engine/kernels/wasm/generated/ (git-ignored); loaded by wasm-runtime.ts on a shared
;; memory that every thread instantiates (addresses below are bytes in it).
;;
;; GEMM micro-kernels, C += A·B on packed operands:
;;   A: ⌈m/4⌉ row panels, panel i at a + i·4·k·s, element (r, p) at + (4p + r)·s
;;   B: ⌈n/8⌉ column panels, panel j at b + j·8·k·s, element (p, c) at + (8p + c)·s
;;   C: row-major, full tiles only: (4·⌈m/4⌉) × (8·⌈n/8⌉) with row stride ldc bytes
;; (s = 4 for float32, 8 for float64; the caller zero-pads A and B and crops C).
;; The k loop is blocked by KC so a B block (KC×8) stays in L1 while every A panel passes.
;; Then the convolution drivers (conv_*, conv_dw_*, scatter_*: see wasm-conv.ts), which threads
;; run side by side, each claiming chunks of work through an atomic counter; packing; and dot
;; products for thin float64 products.
;;
;; The multiply-adds are written `(T.add (local.get $c) (T.mul (local.get $a) (local.get $b)))`;
;; the build derives a second binary with those rewritten to relaxed_madd (fused multiply-add),
;; used only where WebAssembly.validate accepts it (Node 22+ and Electron; Node 20 after
;; wasm-runtime.ts switches on --experimental-wasm-relaxed-simd).
(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; float32 4×8 tile: C[4×8] at pc (row stride ldc bytes) += Σ_p A[4×1]·B[1×8] over kc steps
  (func $micro_f32 (param $kc i32) (param $pa i32) (param $pb i32) (param $pc i32) (param $ldc i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128)
    (local $c01 v128)
    (local $c10 v128)
    (local $c11 v128)
    (local $c20 v128)
    (local $c21 v128)
    (local $c30 v128)
    (local $c31 v128)
    (block $done
      (br_if $done (i32.eqz (local.get $kc)))
      (loop $k
        (local.set $b0 (v128.load (local.get $pb)))
        (local.set $b1 (v128.load offset=16 (local.get $pb)))
        (local.set $a (v128.load32_splat offset=0 (local.get $pa)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load32_splat offset=4 (local.get $pa)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load32_splat offset=8 (local.get $pa)))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load32_splat offset=12 (local.get $pa)))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
        (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1))))))
    (v128.store offset=0 (local.get $pc) (f32x4.add (v128.load offset=0 (local.get $pc)) (local.get $c00)))
    (v128.store offset=16 (local.get $pc) (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c01)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f32x4.add (v128.load offset=0 (local.get $pc)) (local.get $c10)))
    (v128.store offset=16 (local.get $pc) (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c11)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f32x4.add (v128.load offset=0 (local.get $pc)) (local.get $c20)))
    (v128.store offset=16 (local.get $pc) (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c21)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f32x4.add (v128.load offset=0 (local.get $pc)) (local.get $c30)))
    (v128.store offset=16 (local.get $pc) (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c31)))
  )

  ;; micro_f32 with B read in place: row p of the tile's B at pb + rows[p] (pr walks the i32 row
  ;; offsets), the 8 columns consecutive in memory — a convolution's padded input, no gather.
  (func $micro_ind_f32 (param $kc i32) (param $pa i32) (param $pb i32) (param $pr i32) (param $pc i32) (param $ldc i32)
    (local $s i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128)
    (local $c01 v128)
    (local $c10 v128)
    (local $c11 v128)
    (local $c20 v128)
    (local $c21 v128)
    (local $c30 v128)
    (local $c31 v128)
    (block $done
      (br_if $done (i32.eqz (local.get $kc)))
      (loop $k
        (local.set $s (i32.add (local.get $pb) (i32.load (local.get $pr))))
        (local.set $b0 (v128.load (local.get $s)))
        (local.set $b1 (v128.load offset=16 (local.get $s)))
        (local.set $a (v128.load32_splat offset=0 (local.get $pa)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load32_splat offset=4 (local.get $pa)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load32_splat offset=8 (local.get $pa)))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load32_splat offset=12 (local.get $pa)))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
        (local.set $pr (i32.add (local.get $pr) (i32.const 4)))
        (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1))))))
    (v128.store offset=0 (local.get $pc) (f32x4.add (v128.load offset=0 (local.get $pc)) (local.get $c00)))
    (v128.store offset=16 (local.get $pc) (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c01)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f32x4.add (v128.load offset=0 (local.get $pc)) (local.get $c10)))
    (v128.store offset=16 (local.get $pc) (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c11)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f32x4.add (v128.load offset=0 (local.get $pc)) (local.get $c20)))
    (v128.store offset=16 (local.get $pc) (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c21)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f32x4.add (v128.load offset=0 (local.get $pc)) (local.get $c30)))
    (v128.store offset=16 (local.get $pc) (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c31)))
  )

  ;; float64 4×4 tile on half of an 8-wide panel: C[4×4] at pc += Σ_p A[4×1]·B[1×4]; B rows 64 bytes apart
  (func $micro_f64 (param $kc i32) (param $pa i32) (param $pb i32) (param $pc i32) (param $ldc i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128)
    (local $c01 v128)
    (local $c10 v128)
    (local $c11 v128)
    (local $c20 v128)
    (local $c21 v128)
    (local $c30 v128)
    (local $c31 v128)
    (block $done
      (br_if $done (i32.eqz (local.get $kc)))
      (loop $k
        (local.set $b0 (v128.load (local.get $pb)))
        (local.set $b1 (v128.load offset=16 (local.get $pb)))
        (local.set $a (v128.load64_splat offset=0 (local.get $pa)))
        (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load64_splat offset=8 (local.get $pa)))
        (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load64_splat offset=16 (local.get $pa)))
        (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load64_splat offset=24 (local.get $pa)))
        (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 64)))
        (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1))))))
    (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (local.get $c00)))
    (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c01)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (local.get $c10)))
    (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c11)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (local.get $c20)))
    (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c21)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (local.get $c30)))
    (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c31)))
  )

  ;; micro_f64 with B read in place: row p of the tile's B at pb + rows[p] (pr walks the i32 row
  ;; offsets), the 8 columns consecutive in memory — a convolution's padded input, no gather.
  (func $micro_ind_f64 (param $kc i32) (param $pa i32) (param $pb i32) (param $pr i32) (param $pc i32) (param $ldc i32)
    (local $s i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128)
    (local $c01 v128)
    (local $c10 v128)
    (local $c11 v128)
    (local $c20 v128)
    (local $c21 v128)
    (local $c30 v128)
    (local $c31 v128)
    (block $done
      (br_if $done (i32.eqz (local.get $kc)))
      (loop $k
        (local.set $s (i32.add (local.get $pb) (i32.load (local.get $pr))))
        (local.set $b0 (v128.load (local.get $s)))
        (local.set $b1 (v128.load offset=16 (local.get $s)))
        (local.set $a (v128.load64_splat offset=0 (local.get $pa)))
        (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load64_splat offset=8 (local.get $pa)))
        (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load64_splat offset=16 (local.get $pa)))
        (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load64_splat offset=24 (local.get $pa)))
        (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
        (local.set $pr (i32.add (local.get $pr) (i32.const 4)))
        (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1))))))
    (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (local.get $c00)))
    (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c01)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (local.get $c10)))
    (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c11)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (local.get $c20)))
    (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c21)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (local.get $c30)))
    (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c31)))
  )

  ;; C += A·B, float32. mp = ⌈m/4⌉ A panels, np = ⌈n/8⌉ B panels, depth k; ldc in bytes.
  (func $gemm_f32 (export "gemm_f32") (param $mp i32) (param $np i32) (param $k i32) (param $a i32) (param $b i32) (param $c i32) (param $ldc i32)
    (local $p0 i32) (local $kc i32) (local $j i32) (local $i i32) (local $bj i32) (local $cj i32)
    (block $end
      (br_if $end (i32.or (i32.eqz (local.get $k)) (i32.or (i32.eqz (local.get $mp)) (i32.eqz (local.get $np)))))
      (loop $blocks
        ;; kc = min(256, k - p0)
        (local.set $kc (i32.sub (local.get $k) (local.get $p0)))
        (if (i32.gt_u (local.get $kc) (i32.const 256)) (then (local.set $kc (i32.const 256))))
        (local.set $j (i32.const 0))
        (loop $cols
          ;; B block: panel j, rows p0.. : b + j·32·k + p0·32
          (local.set $bj (i32.add (local.get $b) (i32.add (i32.mul (local.get $j) (i32.shl (local.get $k) (i32.const 5))) (i32.shl (local.get $p0) (i32.const 5)))))
          (local.set $cj (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 5))))
          (local.set $i (i32.const 0))
          (loop $rows
            (call $micro_f32 (local.get $kc)
              (i32.add (local.get $a) (i32.add (i32.mul (local.get $i) (i32.shl (local.get $k) (i32.const 4))) (i32.shl (local.get $p0) (i32.const 4))))
              (local.get $bj)
              (i32.add (local.get $cj) (i32.mul (i32.shl (local.get $i) (i32.const 2)) (local.get $ldc)))
              (local.get $ldc))
            (br_if $rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $mp))))
          (br_if $cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $np))))
        (br_if $blocks (i32.lt_u (local.tee $p0 (i32.add (local.get $p0) (local.get $kc))) (local.get $k))))))

  ;; C += A·B, float64; the same layout with 8-byte elements, each 8-wide panel as two 4×4 halves.
  (func $gemm_f64 (export "gemm_f64") (param $mp i32) (param $np i32) (param $k i32) (param $a i32) (param $b i32) (param $c i32) (param $ldc i32)
    (local $p0 i32) (local $kc i32) (local $j i32) (local $i i32) (local $bj i32) (local $cj i32) (local $ai i32) (local $ci i32)
    (block $end
      (br_if $end (i32.or (i32.eqz (local.get $k)) (i32.or (i32.eqz (local.get $mp)) (i32.eqz (local.get $np)))))
      (loop $blocks
        (local.set $kc (i32.sub (local.get $k) (local.get $p0)))
        (if (i32.gt_u (local.get $kc) (i32.const 256)) (then (local.set $kc (i32.const 256))))
        (local.set $j (i32.const 0))
        (loop $cols
          ;; b + j·64·k + p0·64
          (local.set $bj (i32.add (local.get $b) (i32.add (i32.mul (local.get $j) (i32.shl (local.get $k) (i32.const 6))) (i32.shl (local.get $p0) (i32.const 6)))))
          (local.set $cj (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 6))))
          (local.set $i (i32.const 0))
          (loop $rows
            (local.set $ai (i32.add (local.get $a) (i32.add (i32.mul (local.get $i) (i32.shl (local.get $k) (i32.const 5))) (i32.shl (local.get $p0) (i32.const 5)))))
            (local.set $ci (i32.add (local.get $cj) (i32.mul (i32.shl (local.get $i) (i32.const 2)) (local.get $ldc))))
            (call $micro_f64 (local.get $kc) (local.get $ai) (local.get $bj) (local.get $ci) (local.get $ldc))
            (call $micro_f64 (local.get $kc) (local.get $ai) (i32.add (local.get $bj) (i32.const 32)) (i32.add (local.get $ci) (i32.const 32)) (local.get $ldc))
            (br_if $rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $mp))))
          (br_if $cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $np))))
        (br_if $blocks (i32.lt_u (local.tee $p0 (i32.add (local.get $p0) (local.get $kc))) (local.get $k))))))

  ;; Packed B panels [jp0, jp1) of the implicit im2col matrix of a padded input at x (no padding
  ;; taps left to test): element (p, j) = x[rows[p] + cols[j]] (i32 byte offsets), written panel
  ;; after panel, each k rows of 8 lanes. kinds[jp]: 1 = the panel's 8 columns are consecutive
  ;; elements (one output row, stride 1: plain vector copies), 2 = every other element (stride 2:
  ;; loads and a shuffle), 0 = anything else (8 scalar loads).
  (func $gather_f32 (param $dst i32) (param $x i32) (param $rows i32) (param $k i32) (param $cols i32) (param $kinds i32) (param $jp0 i32) (param $jp1 i32)
    (local $jp i32) (local $r i32) (local $end i32) (local $kind i32) (local $s i32) (local $cp i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $o4 i32) (local $o5 i32) (local $o6 i32) (local $o7 i32)
    (local.set $end (i32.add (local.get $rows) (i32.shl (local.get $k) (i32.const 2))))
    (local.set $jp (local.get $jp0))
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $k)) (i32.ge_u (local.get $jp) (local.get $jp1))))
      (loop $panels
        (local.set $cp (i32.add (local.get $cols) (i32.shl (local.get $jp) (i32.const 5))))
        (local.set $o0 (i32.add (local.get $x) (i32.load offset=0 (local.get $cp))))
        (local.set $o1 (i32.add (local.get $x) (i32.load offset=4 (local.get $cp))))
        (local.set $o2 (i32.add (local.get $x) (i32.load offset=8 (local.get $cp))))
        (local.set $o3 (i32.add (local.get $x) (i32.load offset=12 (local.get $cp))))
        (local.set $o4 (i32.add (local.get $x) (i32.load offset=16 (local.get $cp))))
        (local.set $o5 (i32.add (local.get $x) (i32.load offset=20 (local.get $cp))))
        (local.set $o6 (i32.add (local.get $x) (i32.load offset=24 (local.get $cp))))
        (local.set $o7 (i32.add (local.get $x) (i32.load offset=28 (local.get $cp))))
        (local.set $kind (i32.load (i32.add (local.get $kinds) (i32.shl (local.get $jp) (i32.const 2)))))
        (local.set $r (local.get $rows))
        (if (i32.eq (local.get $kind) (i32.const 1))
          (then
            (loop $l1
              (local.set $s (i32.add (local.get $o0) (i32.load (local.get $r))))
              (v128.store offset=0 (local.get $dst) (v128.load offset=0 (local.get $s)))
              (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $s)))
              (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
              (br_if $l1 (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 4))) (local.get $end)))))
          (else
            (if (i32.eq (local.get $kind) (i32.const 2))
              (then
                (loop $l2
                  (local.set $s (i32.add (local.get $o0) (i32.load (local.get $r))))
                (v128.store offset=0 (local.get $dst) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (local.get $s)) (v128.load offset=16 (local.get $s))))
                (v128.store offset=16 (local.get $dst) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=32 (local.get $s)) (v128.load offset=48 (local.get $s))))
                  (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                  (br_if $l2 (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 4))) (local.get $end)))))
              (else
                (loop $l0
                  (local.set $s (i32.load (local.get $r)))
                (f32.store offset=0 (local.get $dst) (f32.load (i32.add (local.get $o0) (local.get $s))))
                (f32.store offset=4 (local.get $dst) (f32.load (i32.add (local.get $o1) (local.get $s))))
                (f32.store offset=8 (local.get $dst) (f32.load (i32.add (local.get $o2) (local.get $s))))
                (f32.store offset=12 (local.get $dst) (f32.load (i32.add (local.get $o3) (local.get $s))))
                (f32.store offset=16 (local.get $dst) (f32.load (i32.add (local.get $o4) (local.get $s))))
                (f32.store offset=20 (local.get $dst) (f32.load (i32.add (local.get $o5) (local.get $s))))
                (f32.store offset=24 (local.get $dst) (f32.load (i32.add (local.get $o6) (local.get $s))))
                (f32.store offset=28 (local.get $dst) (f32.load (i32.add (local.get $o7) (local.get $s))))
                  (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                  (br_if $l0 (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 4))) (local.get $end))))))))
        (br_if $panels (i32.lt_u (local.tee $jp (i32.add (local.get $jp) (i32.const 1))) (local.get $jp1))))))

  ;; Packed B panels [jp0, jp1) of the implicit im2col matrix of a padded input at x (no padding
  ;; taps left to test): element (p, j) = x[rows[p] + cols[j]] (i32 byte offsets), written panel
  ;; after panel, each k rows of 8 lanes. kinds[jp]: 1 = the panel's 8 columns are consecutive
  ;; elements (one output row, stride 1: plain vector copies), 2 = every other element (stride 2:
  ;; loads and a shuffle), 0 = anything else (8 scalar loads).
  (func $gather_f64 (param $dst i32) (param $x i32) (param $rows i32) (param $k i32) (param $cols i32) (param $kinds i32) (param $jp0 i32) (param $jp1 i32)
    (local $jp i32) (local $r i32) (local $end i32) (local $kind i32) (local $s i32) (local $cp i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $o4 i32) (local $o5 i32) (local $o6 i32) (local $o7 i32)
    (local.set $end (i32.add (local.get $rows) (i32.shl (local.get $k) (i32.const 2))))
    (local.set $jp (local.get $jp0))
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $k)) (i32.ge_u (local.get $jp) (local.get $jp1))))
      (loop $panels
        (local.set $cp (i32.add (local.get $cols) (i32.shl (local.get $jp) (i32.const 5))))
        (local.set $o0 (i32.add (local.get $x) (i32.load offset=0 (local.get $cp))))
        (local.set $o1 (i32.add (local.get $x) (i32.load offset=4 (local.get $cp))))
        (local.set $o2 (i32.add (local.get $x) (i32.load offset=8 (local.get $cp))))
        (local.set $o3 (i32.add (local.get $x) (i32.load offset=12 (local.get $cp))))
        (local.set $o4 (i32.add (local.get $x) (i32.load offset=16 (local.get $cp))))
        (local.set $o5 (i32.add (local.get $x) (i32.load offset=20 (local.get $cp))))
        (local.set $o6 (i32.add (local.get $x) (i32.load offset=24 (local.get $cp))))
        (local.set $o7 (i32.add (local.get $x) (i32.load offset=28 (local.get $cp))))
        (local.set $kind (i32.load (i32.add (local.get $kinds) (i32.shl (local.get $jp) (i32.const 2)))))
        (local.set $r (local.get $rows))
        (if (i32.eq (local.get $kind) (i32.const 1))
          (then
            (loop $l1
              (local.set $s (i32.add (local.get $o0) (i32.load (local.get $r))))
              (v128.store offset=0 (local.get $dst) (v128.load offset=0 (local.get $s)))
              (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $s)))
              (v128.store offset=32 (local.get $dst) (v128.load offset=32 (local.get $s)))
              (v128.store offset=48 (local.get $dst) (v128.load offset=48 (local.get $s)))
              (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
              (br_if $l1 (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 4))) (local.get $end)))))
          (else
            (if (i32.eq (local.get $kind) (i32.const 2))
              (then
                (loop $l2
                  (local.set $s (i32.add (local.get $o0) (i32.load (local.get $r))))
                (v128.store offset=0 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (v128.load offset=0 (local.get $s)) (v128.load offset=16 (local.get $s))))
                (v128.store offset=16 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (v128.load offset=32 (local.get $s)) (v128.load offset=48 (local.get $s))))
                (v128.store offset=32 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (v128.load offset=64 (local.get $s)) (v128.load offset=80 (local.get $s))))
                (v128.store offset=48 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (v128.load offset=96 (local.get $s)) (v128.load offset=112 (local.get $s))))
                  (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
                  (br_if $l2 (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 4))) (local.get $end)))))
              (else
                (loop $l0
                  (local.set $s (i32.load (local.get $r)))
                (f64.store offset=0 (local.get $dst) (f64.load (i32.add (local.get $o0) (local.get $s))))
                (f64.store offset=8 (local.get $dst) (f64.load (i32.add (local.get $o1) (local.get $s))))
                (f64.store offset=16 (local.get $dst) (f64.load (i32.add (local.get $o2) (local.get $s))))
                (f64.store offset=24 (local.get $dst) (f64.load (i32.add (local.get $o3) (local.get $s))))
                (f64.store offset=32 (local.get $dst) (f64.load (i32.add (local.get $o4) (local.get $s))))
                (f64.store offset=40 (local.get $dst) (f64.load (i32.add (local.get $o5) (local.get $s))))
                (f64.store offset=48 (local.get $dst) (f64.load (i32.add (local.get $o6) (local.get $s))))
                (f64.store offset=56 (local.get $dst) (f64.load (i32.add (local.get $o7) (local.get $s))))
                  (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
                  (br_if $l0 (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 4))) (local.get $end))))))))
        (br_if $panels (i32.lt_u (local.tee $jp (i32.add (local.get $jp) (i32.const 1))) (local.get $jp1))))))

  ;; Packed B panels [jp0, jp1) of the transposed im2col matrix (a weight gradient's right operand):
  ;; depth q < n (output positions), lane i of panel jp = im2col row 8·jp + i: element (q, i) =
  ;; x[lanes[8·jp + i] + cols[q]] (i32 byte offsets), panel after panel, each n rows of 8 lanes.
  (func $gather_t_f32 (param $dst i32) (param $x i32) (param $lanes i32) (param $cols i32) (param $n i32) (param $jp0 i32) (param $jp1 i32)
    (local $jp i32) (local $q i32) (local $end i32) (local $s i32) (local $lp i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $o4 i32) (local $o5 i32) (local $o6 i32) (local $o7 i32)
    (local.set $end (i32.add (local.get $cols) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $jp (local.get $jp0))
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $n)) (i32.ge_u (local.get $jp) (local.get $jp1))))
      (loop $panels
        (local.set $lp (i32.add (local.get $lanes) (i32.shl (local.get $jp) (i32.const 5))))
        (local.set $o0 (i32.add (local.get $x) (i32.load offset=0 (local.get $lp))))
        (local.set $o1 (i32.add (local.get $x) (i32.load offset=4 (local.get $lp))))
        (local.set $o2 (i32.add (local.get $x) (i32.load offset=8 (local.get $lp))))
        (local.set $o3 (i32.add (local.get $x) (i32.load offset=12 (local.get $lp))))
        (local.set $o4 (i32.add (local.get $x) (i32.load offset=16 (local.get $lp))))
        (local.set $o5 (i32.add (local.get $x) (i32.load offset=20 (local.get $lp))))
        (local.set $o6 (i32.add (local.get $x) (i32.load offset=24 (local.get $lp))))
        (local.set $o7 (i32.add (local.get $x) (i32.load offset=28 (local.get $lp))))
        (local.set $q (local.get $cols))
        (loop $l
          (local.set $s (i32.load (local.get $q)))
            (f32.store offset=0 (local.get $dst) (f32.load (i32.add (local.get $o0) (local.get $s))))
            (f32.store offset=4 (local.get $dst) (f32.load (i32.add (local.get $o1) (local.get $s))))
            (f32.store offset=8 (local.get $dst) (f32.load (i32.add (local.get $o2) (local.get $s))))
            (f32.store offset=12 (local.get $dst) (f32.load (i32.add (local.get $o3) (local.get $s))))
            (f32.store offset=16 (local.get $dst) (f32.load (i32.add (local.get $o4) (local.get $s))))
            (f32.store offset=20 (local.get $dst) (f32.load (i32.add (local.get $o5) (local.get $s))))
            (f32.store offset=24 (local.get $dst) (f32.load (i32.add (local.get $o6) (local.get $s))))
            (f32.store offset=28 (local.get $dst) (f32.load (i32.add (local.get $o7) (local.get $s))))
          (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
          (br_if $l (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 4))) (local.get $end))))
        (br_if $panels (i32.lt_u (local.tee $jp (i32.add (local.get $jp) (i32.const 1))) (local.get $jp1))))))

  ;; Packed B panels [jp0, jp1) of the transposed im2col matrix (a weight gradient's right operand):
  ;; depth q < n (output positions), lane i of panel jp = im2col row 8·jp + i: element (q, i) =
  ;; x[lanes[8·jp + i] + cols[q]] (i32 byte offsets), panel after panel, each n rows of 8 lanes.
  (func $gather_t_f64 (param $dst i32) (param $x i32) (param $lanes i32) (param $cols i32) (param $n i32) (param $jp0 i32) (param $jp1 i32)
    (local $jp i32) (local $q i32) (local $end i32) (local $s i32) (local $lp i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $o4 i32) (local $o5 i32) (local $o6 i32) (local $o7 i32)
    (local.set $end (i32.add (local.get $cols) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $jp (local.get $jp0))
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $n)) (i32.ge_u (local.get $jp) (local.get $jp1))))
      (loop $panels
        (local.set $lp (i32.add (local.get $lanes) (i32.shl (local.get $jp) (i32.const 5))))
        (local.set $o0 (i32.add (local.get $x) (i32.load offset=0 (local.get $lp))))
        (local.set $o1 (i32.add (local.get $x) (i32.load offset=4 (local.get $lp))))
        (local.set $o2 (i32.add (local.get $x) (i32.load offset=8 (local.get $lp))))
        (local.set $o3 (i32.add (local.get $x) (i32.load offset=12 (local.get $lp))))
        (local.set $o4 (i32.add (local.get $x) (i32.load offset=16 (local.get $lp))))
        (local.set $o5 (i32.add (local.get $x) (i32.load offset=20 (local.get $lp))))
        (local.set $o6 (i32.add (local.get $x) (i32.load offset=24 (local.get $lp))))
        (local.set $o7 (i32.add (local.get $x) (i32.load offset=28 (local.get $lp))))
        (local.set $q (local.get $cols))
        (loop $l
          (local.set $s (i32.load (local.get $q)))
            (f64.store offset=0 (local.get $dst) (f64.load (i32.add (local.get $o0) (local.get $s))))
            (f64.store offset=8 (local.get $dst) (f64.load (i32.add (local.get $o1) (local.get $s))))
            (f64.store offset=16 (local.get $dst) (f64.load (i32.add (local.get $o2) (local.get $s))))
            (f64.store offset=24 (local.get $dst) (f64.load (i32.add (local.get $o3) (local.get $s))))
            (f64.store offset=32 (local.get $dst) (f64.load (i32.add (local.get $o4) (local.get $s))))
            (f64.store offset=40 (local.get $dst) (f64.load (i32.add (local.get $o5) (local.get $s))))
            (f64.store offset=48 (local.get $dst) (f64.load (i32.add (local.get $o6) (local.get $s))))
            (f64.store offset=56 (local.get $dst) (f64.load (i32.add (local.get $o7) (local.get $s))))
          (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
          (br_if $l (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 4))) (local.get $end))))
        (br_if $panels (i32.lt_u (local.tee $jp (i32.add (local.get $jp) (i32.const 1))) (local.get $jp1))))))

  ;; C's columns [b0, b1) (bytes from each row's start) of rows [0, rows): row r set to bias[r]
  ;; (bias: `rows` values), or to 0 when bias is 0 (the null address)
  (func $init_c_f32 (param $c i32) (param $ldc i32) (param $rows i32) (param $bias i32) (param $b0 i32) (param $b1 i32)
    (local $r i32) (local $v v128) (local $p i32) (local $end i32)
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $rows)) (i32.ge_u (local.get $b0) (local.get $b1))))
      (loop $rowsl
        (local.set $v (if (result v128) (local.get $bias)
          (then (f32x4.splat (f32.load (i32.add (local.get $bias) (i32.mul (local.get $r) (i32.const 4))))))
          (else (v128.const i64x2 0 0))))
        (local.set $p (i32.add (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $ldc))) (local.get $b0)))
        (local.set $end (i32.add (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $ldc))) (local.get $b1)))
        (loop $fill
          (v128.store (local.get $p) (local.get $v))
          (br_if $fill (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end))))
        (br_if $rowsl (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows))))))

  ;; Convolution as a multiply over the implicit im2col matrix, shared by any number of threads: each
  ;; call claims chunks of `chunk` column panels through the atomic counter at desc+0 until none are
  ;; left and multiplies them into their columns of C (k blocked by 256). A panel of 8 consecutive
  ;; elements (kinds 1: one output row at stride 1) is read in place from the padded input
  ;; (micro_ind); the others are first gathered into the thread's own B buffer (b + t·bStride).
  ;; desc (i32 fields): 0 counter, 4 panels, 8 chunk, 12 mp, 16 k, 20 a, 24 b, 28 bStride, 32 c,
  ;; 36 ldc (bytes), 40 x, 44 rows, 48 cols, 52 kinds (see $gather_f32), 56 bias (a
  ;; chunk's columns of C are first set to their row's bias, or to 0 when the address is 0).
  (func (export "conv_f32") (param $d i32) (param $t i32)
    (local $np i32) (local $chunk i32) (local $jp0 i32) (local $jp1 i32) (local $b i32) (local $k i32) (local $mp i32) (local $a i32)
    (local $c i32) (local $ldc i32) (local $x i32) (local $rows i32) (local $cols i32) (local $kinds i32)
    (local $p0 i32) (local $kc i32) (local $j i32) (local $i i32) (local $ai i32) (local $ci i32) (local $bj i32) (local $xb i32) (local $pr i32)
    (local.set $np (i32.load offset=4 (local.get $d)))
    (local.set $chunk (i32.load offset=8 (local.get $d)))
    (local.set $mp (i32.load offset=12 (local.get $d)))
    (local.set $k (i32.load offset=16 (local.get $d)))
    (local.set $a (i32.load offset=20 (local.get $d)))
    (local.set $b (i32.add (i32.load offset=24 (local.get $d)) (i32.mul (local.get $t) (i32.load offset=28 (local.get $d)))))
    (local.set $c (i32.load offset=32 (local.get $d)))
    (local.set $ldc (i32.load offset=36 (local.get $d)))
    (local.set $x (i32.load offset=40 (local.get $d)))
    (local.set $rows (i32.load offset=44 (local.get $d)))
    (local.set $cols (i32.load offset=48 (local.get $d)))
    (local.set $kinds (i32.load offset=52 (local.get $d)))
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $k)) (i32.eqz (local.get $mp))))
      (loop $claim
        (local.set $jp0 (i32.mul (i32.atomic.rmw.add (local.get $d) (i32.const 1)) (local.get $chunk)))
        (br_if $done (i32.ge_u (local.get $jp0) (local.get $np)))
        (local.set $jp1 (i32.add (local.get $jp0) (local.get $chunk)))
        (if (i32.gt_u (local.get $jp1) (local.get $np)) (then (local.set $jp1 (local.get $np))))
        (call $init_c_f32 (local.get $c) (local.get $ldc) (i32.shl (local.get $mp) (i32.const 2)) (i32.load offset=56 (local.get $d))
          (i32.mul (local.get $jp0) (i32.const 32)) (i32.mul (local.get $jp1) (i32.const 32)))
        ;; panels that are not 8 consecutive elements are gathered into their slot (j − jp0) of B
        (local.set $j (local.get $jp0))
        (loop $gather
          (if (i32.ne (i32.load (i32.add (local.get $kinds) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 1))
            (then (call $gather_f32 (i32.add (local.get $b) (i32.mul (i32.sub (local.get $j) (local.get $jp0)) (i32.mul (local.get $k) (i32.const 32))))
              (local.get $x) (local.get $rows) (local.get $k) (local.get $cols) (local.get $kinds) (local.get $j) (i32.add (local.get $j) (i32.const 1)))))
          (br_if $gather (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $jp1))))
        (local.set $p0 (i32.const 0))
        (loop $blocks
          (local.set $kc (i32.sub (local.get $k) (local.get $p0)))
          (if (i32.gt_u (local.get $kc) (i32.const 256)) (then (local.set $kc (i32.const 256))))
          (local.set $j (local.get $jp0))
          (loop $panels
            (local.set $i (i32.const 0))
            (local.set $ai (i32.add (local.get $a) (i32.mul (local.get $p0) (i32.const 16))))
            (local.set $ci (i32.add (local.get $c) (i32.mul (local.get $j) (i32.const 32))))
            (if (i32.eq (i32.load (i32.add (local.get $kinds) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 1))
              (then
                ;; consecutive columns: B read in place from the padded input
                (local.set $xb (i32.add (local.get $x) (i32.load (i32.add (local.get $cols) (i32.shl (local.get $j) (i32.const 5))))))
                (local.set $pr (i32.add (local.get $rows) (i32.shl (local.get $p0) (i32.const 2))))
                (loop $rows_ind
                  (call $micro_ind_f32 (local.get $kc) (local.get $ai) (local.get $xb) (local.get $pr) (local.get $ci) (local.get $ldc))
                  (local.set $ai (i32.add (local.get $ai) (i32.mul (local.get $k) (i32.const 16))))
                  (local.set $ci (i32.add (local.get $ci) (i32.shl (local.get $ldc) (i32.const 2))))
                  (br_if $rows_ind (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $mp)))))
              (else
                (local.set $bj (i32.add (local.get $b) (i32.add (i32.mul (i32.sub (local.get $j) (local.get $jp0)) (i32.mul (local.get $k) (i32.const 32)))
                  (i32.mul (local.get $p0) (i32.const 32)))))
                (loop $rows_packed
                  (call $micro_f32 (local.get $kc) (local.get $ai) (local.get $bj) (local.get $ci) (local.get $ldc))
                  (local.set $ai (i32.add (local.get $ai) (i32.mul (local.get $k) (i32.const 16))))
                  (local.set $ci (i32.add (local.get $ci) (i32.shl (local.get $ldc) (i32.const 2))))
                  (br_if $rows_packed (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $mp))))))
            (br_if $panels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $jp1))))
          (br_if $blocks (i32.lt_u (local.tee $p0 (i32.add (local.get $p0) (local.get $kc))) (local.get $k))))
        (br $claim))))

  ;; Weight gradient C += dy·colᵀ, threads as in conv_f32: panels are 8 im2col rows (columns of C),
  ;; depth the output positions. desc: 0 counter, 4 panels, 8 chunk, 12 mp, 16 n (depth), 20 a
  ;; (dy in 4-row panels), 24 b, 28 bStride, 32 c, 36 ldc (bytes), 40 x, 44 lanes, 48 cols.
  (func (export "conv_dw_f32") (param $d i32) (param $t i32)
    (local $np i32) (local $chunk i32) (local $jp0 i32) (local $jp1 i32) (local $b i32)
    (local.set $np (i32.load offset=4 (local.get $d)))
    (local.set $chunk (i32.load offset=8 (local.get $d)))
    (local.set $b (i32.add (i32.load offset=24 (local.get $d)) (i32.mul (local.get $t) (i32.load offset=28 (local.get $d)))))
    (block $done
      (loop $claim
        (local.set $jp0 (i32.mul (i32.atomic.rmw.add (local.get $d) (i32.const 1)) (local.get $chunk)))
        (br_if $done (i32.ge_u (local.get $jp0) (local.get $np)))
        (local.set $jp1 (i32.add (local.get $jp0) (local.get $chunk)))
        (if (i32.gt_u (local.get $jp1) (local.get $np)) (then (local.set $jp1 (local.get $np))))
        (call $gather_t_f32 (local.get $b) (i32.load offset=40 (local.get $d)) (i32.load offset=44 (local.get $d)) (i32.load offset=48 (local.get $d))
          (i32.load offset=16 (local.get $d)) (local.get $jp0) (local.get $jp1))
        (call $gemm_f32 (i32.load offset=12 (local.get $d)) (i32.sub (local.get $jp1) (local.get $jp0)) (i32.load offset=16 (local.get $d))
          (i32.load offset=20 (local.get $d)) (local.get $b)
          (i32.add (i32.load offset=32 (local.get $d)) (i32.mul (local.get $jp0) (i32.const 32))) (i32.load offset=36 (local.get $d)))
        (br $claim))))

  ;; col2im: adds C's rows back onto the padded input they were gathered from, dx[rows[p] + cols[j]]
  ;; += C[p][j] for j < n, threads claiming chunks of `chunk` channels (rows p = ch·taps + t; distinct
  ;; channels never touch the same element). desc: 0 counter, 4 channels, 8 chunk, 12 taps, 16 n,
  ;; 20 c, 24 ldc (bytes), 28 dx, 32 rows, 36 cols.
  (func (export "scatter_f32") (param $d i32) (param $t i32)
    (local $u0 i32) (local $u1 i32) (local $p i32) (local $pend i32) (local $base i32) (local $cr i32) (local $q i32) (local $qend i32) (local $e i32)
    (block $done
      (loop $claim
        (local.set $u0 (i32.mul (i32.atomic.rmw.add (local.get $d) (i32.const 1)) (i32.load offset=8 (local.get $d))))
        (br_if $done (i32.ge_u (local.get $u0) (i32.load offset=4 (local.get $d))))
        (local.set $u1 (i32.add (local.get $u0) (i32.load offset=8 (local.get $d))))
        (if (i32.gt_u (local.get $u1) (i32.load offset=4 (local.get $d))) (then (local.set $u1 (i32.load offset=4 (local.get $d)))))
        (local.set $p (i32.mul (local.get $u0) (i32.load offset=12 (local.get $d))))
        (local.set $pend (i32.mul (local.get $u1) (i32.load offset=12 (local.get $d))))
        (local.set $qend (i32.add (i32.load offset=36 (local.get $d)) (i32.shl (i32.load offset=16 (local.get $d)) (i32.const 2))))
        (loop $rowsl
          (local.set $base (i32.add (i32.load offset=28 (local.get $d)) (i32.load (i32.add (i32.load offset=32 (local.get $d)) (i32.shl (local.get $p) (i32.const 2))))))
          (local.set $cr (i32.add (i32.load offset=20 (local.get $d)) (i32.mul (local.get $p) (i32.load offset=24 (local.get $d)))))
          (local.set $q (i32.load offset=36 (local.get $d)))
          (loop $cols
            (local.set $e (i32.add (local.get $base) (i32.load (local.get $q))))
            (f32.store (local.get $e) (f32.add (f32.load (local.get $e)) (f32.load (local.get $cr))))
            (local.set $cr (i32.add (local.get $cr) (i32.const 4)))
            (br_if $cols (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 4))) (local.get $qend))))
          (br_if $rowsl (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $pend))))
        (br $claim))))

  ;; A operand packing: rows [0, rows) of a row-major matrix at src (row stride ld bytes), depth k,
  ;; into ⌈rows/4⌉ panels of 4 rows over depth kt ≥ k, dst[(r/4)·4kt + 4q + r mod 4] = src[r][q]
  ;; (a slice of the depth when kt > k: dst then points at its first column); rows past `rows` in
  ;; the last panel are 0.
  (func (export "pack4_f32") (param $dst i32) (param $src i32) (param $rows i32) (param $k i32) (param $ld i32) (param $kt i32)
    (local $r i32) (local $rend i32) (local $q i32) (local $o i32) (local $s i32)
    (local.set $rend (i32.shl (i32.shr_u (i32.add (local.get $rows) (i32.const 3)) (i32.const 2)) (i32.const 2)))
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $k)) (i32.eqz (local.get $rows))))
      (loop $rowsl
        (local.set $o (i32.add (local.get $dst) (i32.add (i32.mul (i32.shr_u (local.get $r) (i32.const 2)) (i32.mul (local.get $kt) (i32.const 16)))
          (i32.mul (i32.and (local.get $r) (i32.const 3)) (i32.const 4)))))
        (local.set $s (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $ld))))
        (local.set $q (local.get $k))
        (if (i32.lt_u (local.get $r) (local.get $rows))
          (then
            (loop $copy
              (f32.store (local.get $o) (f32.load (local.get $s)))
              (local.set $o (i32.add (local.get $o) (i32.const 16)))
              (local.set $s (i32.add (local.get $s) (i32.const 4)))
              (br_if $copy (local.tee $q (i32.sub (local.get $q) (i32.const 1))))))
          (else
            (loop $zero
              (f32.store (local.get $o) (f32.const 0))
              (local.set $o (i32.add (local.get $o) (i32.const 16)))
              (br_if $zero (local.tee $q (i32.sub (local.get $q) (i32.const 1)))))))
        (br_if $rowsl (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rend))))))

  ;; C's columns [b0, b1) (bytes from each row's start) of rows [0, rows): row r set to bias[r]
  ;; (bias: `rows` values), or to 0 when bias is 0 (the null address)
  (func $init_c_f64 (param $c i32) (param $ldc i32) (param $rows i32) (param $bias i32) (param $b0 i32) (param $b1 i32)
    (local $r i32) (local $v v128) (local $p i32) (local $end i32)
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $rows)) (i32.ge_u (local.get $b0) (local.get $b1))))
      (loop $rowsl
        (local.set $v (if (result v128) (local.get $bias)
          (then (f64x2.splat (f64.load (i32.add (local.get $bias) (i32.mul (local.get $r) (i32.const 8))))))
          (else (v128.const i64x2 0 0))))
        (local.set $p (i32.add (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $ldc))) (local.get $b0)))
        (local.set $end (i32.add (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $ldc))) (local.get $b1)))
        (loop $fill
          (v128.store (local.get $p) (local.get $v))
          (br_if $fill (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end))))
        (br_if $rowsl (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows))))))

  ;; Convolution as a multiply over the implicit im2col matrix, shared by any number of threads: each
  ;; call claims chunks of `chunk` column panels through the atomic counter at desc+0 until none are
  ;; left and multiplies them into their columns of C (k blocked by 256). A panel of 8 consecutive
  ;; elements (kinds 1: one output row at stride 1) is read in place from the padded input
  ;; (micro_ind); the others are first gathered into the thread's own B buffer (b + t·bStride).
  ;; desc (i32 fields): 0 counter, 4 panels, 8 chunk, 12 mp, 16 k, 20 a, 24 b, 28 bStride, 32 c,
  ;; 36 ldc (bytes), 40 x, 44 rows, 48 cols, 52 kinds (see $gather_f64), 56 bias (a
  ;; chunk's columns of C are first set to their row's bias, or to 0 when the address is 0).
  (func (export "conv_f64") (param $d i32) (param $t i32)
    (local $np i32) (local $chunk i32) (local $jp0 i32) (local $jp1 i32) (local $b i32) (local $k i32) (local $mp i32) (local $a i32)
    (local $c i32) (local $ldc i32) (local $x i32) (local $rows i32) (local $cols i32) (local $kinds i32)
    (local $p0 i32) (local $kc i32) (local $j i32) (local $i i32) (local $ai i32) (local $ci i32) (local $bj i32) (local $xb i32) (local $pr i32)
    (local.set $np (i32.load offset=4 (local.get $d)))
    (local.set $chunk (i32.load offset=8 (local.get $d)))
    (local.set $mp (i32.load offset=12 (local.get $d)))
    (local.set $k (i32.load offset=16 (local.get $d)))
    (local.set $a (i32.load offset=20 (local.get $d)))
    (local.set $b (i32.add (i32.load offset=24 (local.get $d)) (i32.mul (local.get $t) (i32.load offset=28 (local.get $d)))))
    (local.set $c (i32.load offset=32 (local.get $d)))
    (local.set $ldc (i32.load offset=36 (local.get $d)))
    (local.set $x (i32.load offset=40 (local.get $d)))
    (local.set $rows (i32.load offset=44 (local.get $d)))
    (local.set $cols (i32.load offset=48 (local.get $d)))
    (local.set $kinds (i32.load offset=52 (local.get $d)))
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $k)) (i32.eqz (local.get $mp))))
      (loop $claim
        (local.set $jp0 (i32.mul (i32.atomic.rmw.add (local.get $d) (i32.const 1)) (local.get $chunk)))
        (br_if $done (i32.ge_u (local.get $jp0) (local.get $np)))
        (local.set $jp1 (i32.add (local.get $jp0) (local.get $chunk)))
        (if (i32.gt_u (local.get $jp1) (local.get $np)) (then (local.set $jp1 (local.get $np))))
        (call $init_c_f64 (local.get $c) (local.get $ldc) (i32.shl (local.get $mp) (i32.const 2)) (i32.load offset=56 (local.get $d))
          (i32.mul (local.get $jp0) (i32.const 64)) (i32.mul (local.get $jp1) (i32.const 64)))
        ;; panels that are not 8 consecutive elements are gathered into their slot (j − jp0) of B
        (local.set $j (local.get $jp0))
        (loop $gather
          (if (i32.ne (i32.load (i32.add (local.get $kinds) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 1))
            (then (call $gather_f64 (i32.add (local.get $b) (i32.mul (i32.sub (local.get $j) (local.get $jp0)) (i32.mul (local.get $k) (i32.const 64))))
              (local.get $x) (local.get $rows) (local.get $k) (local.get $cols) (local.get $kinds) (local.get $j) (i32.add (local.get $j) (i32.const 1)))))
          (br_if $gather (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $jp1))))
        (local.set $p0 (i32.const 0))
        (loop $blocks
          (local.set $kc (i32.sub (local.get $k) (local.get $p0)))
          (if (i32.gt_u (local.get $kc) (i32.const 256)) (then (local.set $kc (i32.const 256))))
          (local.set $j (local.get $jp0))
          (loop $panels
            (local.set $i (i32.const 0))
            (local.set $ai (i32.add (local.get $a) (i32.mul (local.get $p0) (i32.const 32))))
            (local.set $ci (i32.add (local.get $c) (i32.mul (local.get $j) (i32.const 64))))
            (if (i32.eq (i32.load (i32.add (local.get $kinds) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 1))
              (then
                ;; consecutive columns: B read in place from the padded input
                (local.set $xb (i32.add (local.get $x) (i32.load (i32.add (local.get $cols) (i32.shl (local.get $j) (i32.const 5))))))
                (local.set $pr (i32.add (local.get $rows) (i32.shl (local.get $p0) (i32.const 2))))
                (loop $rows_ind
                  (call $micro_ind_f64 (local.get $kc) (local.get $ai) (local.get $xb) (local.get $pr) (local.get $ci) (local.get $ldc))
                  (call $micro_ind_f64 (local.get $kc) (local.get $ai) (i32.add (local.get $xb) (i32.const 32)) (local.get $pr) (i32.add (local.get $ci) (i32.const 32)) (local.get $ldc))
                  (local.set $ai (i32.add (local.get $ai) (i32.mul (local.get $k) (i32.const 32))))
                  (local.set $ci (i32.add (local.get $ci) (i32.shl (local.get $ldc) (i32.const 2))))
                  (br_if $rows_ind (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $mp)))))
              (else
                (local.set $bj (i32.add (local.get $b) (i32.add (i32.mul (i32.sub (local.get $j) (local.get $jp0)) (i32.mul (local.get $k) (i32.const 64)))
                  (i32.mul (local.get $p0) (i32.const 64)))))
                (loop $rows_packed
                  (call $micro_f64 (local.get $kc) (local.get $ai) (local.get $bj) (local.get $ci) (local.get $ldc))
                  (call $micro_f64 (local.get $kc) (local.get $ai) (i32.add (local.get $bj) (i32.const 32)) (i32.add (local.get $ci) (i32.const 32)) (local.get $ldc))
                  (local.set $ai (i32.add (local.get $ai) (i32.mul (local.get $k) (i32.const 32))))
                  (local.set $ci (i32.add (local.get $ci) (i32.shl (local.get $ldc) (i32.const 2))))
                  (br_if $rows_packed (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $mp))))))
            (br_if $panels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $jp1))))
          (br_if $blocks (i32.lt_u (local.tee $p0 (i32.add (local.get $p0) (local.get $kc))) (local.get $k))))
        (br $claim))))

  ;; Weight gradient C += dy·colᵀ, threads as in conv_f64: panels are 8 im2col rows (columns of C),
  ;; depth the output positions. desc: 0 counter, 4 panels, 8 chunk, 12 mp, 16 n (depth), 20 a
  ;; (dy in 4-row panels), 24 b, 28 bStride, 32 c, 36 ldc (bytes), 40 x, 44 lanes, 48 cols.
  (func (export "conv_dw_f64") (param $d i32) (param $t i32)
    (local $np i32) (local $chunk i32) (local $jp0 i32) (local $jp1 i32) (local $b i32)
    (local.set $np (i32.load offset=4 (local.get $d)))
    (local.set $chunk (i32.load offset=8 (local.get $d)))
    (local.set $b (i32.add (i32.load offset=24 (local.get $d)) (i32.mul (local.get $t) (i32.load offset=28 (local.get $d)))))
    (block $done
      (loop $claim
        (local.set $jp0 (i32.mul (i32.atomic.rmw.add (local.get $d) (i32.const 1)) (local.get $chunk)))
        (br_if $done (i32.ge_u (local.get $jp0) (local.get $np)))
        (local.set $jp1 (i32.add (local.get $jp0) (local.get $chunk)))
        (if (i32.gt_u (local.get $jp1) (local.get $np)) (then (local.set $jp1 (local.get $np))))
        (call $gather_t_f64 (local.get $b) (i32.load offset=40 (local.get $d)) (i32.load offset=44 (local.get $d)) (i32.load offset=48 (local.get $d))
          (i32.load offset=16 (local.get $d)) (local.get $jp0) (local.get $jp1))
        (call $gemm_f64 (i32.load offset=12 (local.get $d)) (i32.sub (local.get $jp1) (local.get $jp0)) (i32.load offset=16 (local.get $d))
          (i32.load offset=20 (local.get $d)) (local.get $b)
          (i32.add (i32.load offset=32 (local.get $d)) (i32.mul (local.get $jp0) (i32.const 64))) (i32.load offset=36 (local.get $d)))
        (br $claim))))

  ;; col2im: adds C's rows back onto the padded input they were gathered from, dx[rows[p] + cols[j]]
  ;; += C[p][j] for j < n, threads claiming chunks of `chunk` channels (rows p = ch·taps + t; distinct
  ;; channels never touch the same element). desc: 0 counter, 4 channels, 8 chunk, 12 taps, 16 n,
  ;; 20 c, 24 ldc (bytes), 28 dx, 32 rows, 36 cols.
  (func (export "scatter_f64") (param $d i32) (param $t i32)
    (local $u0 i32) (local $u1 i32) (local $p i32) (local $pend i32) (local $base i32) (local $cr i32) (local $q i32) (local $qend i32) (local $e i32)
    (block $done
      (loop $claim
        (local.set $u0 (i32.mul (i32.atomic.rmw.add (local.get $d) (i32.const 1)) (i32.load offset=8 (local.get $d))))
        (br_if $done (i32.ge_u (local.get $u0) (i32.load offset=4 (local.get $d))))
        (local.set $u1 (i32.add (local.get $u0) (i32.load offset=8 (local.get $d))))
        (if (i32.gt_u (local.get $u1) (i32.load offset=4 (local.get $d))) (then (local.set $u1 (i32.load offset=4 (local.get $d)))))
        (local.set $p (i32.mul (local.get $u0) (i32.load offset=12 (local.get $d))))
        (local.set $pend (i32.mul (local.get $u1) (i32.load offset=12 (local.get $d))))
        (local.set $qend (i32.add (i32.load offset=36 (local.get $d)) (i32.shl (i32.load offset=16 (local.get $d)) (i32.const 2))))
        (loop $rowsl
          (local.set $base (i32.add (i32.load offset=28 (local.get $d)) (i32.load (i32.add (i32.load offset=32 (local.get $d)) (i32.shl (local.get $p) (i32.const 2))))))
          (local.set $cr (i32.add (i32.load offset=20 (local.get $d)) (i32.mul (local.get $p) (i32.load offset=24 (local.get $d)))))
          (local.set $q (i32.load offset=36 (local.get $d)))
          (loop $cols
            (local.set $e (i32.add (local.get $base) (i32.load (local.get $q))))
            (f64.store (local.get $e) (f64.add (f64.load (local.get $e)) (f64.load (local.get $cr))))
            (local.set $cr (i32.add (local.get $cr) (i32.const 8)))
            (br_if $cols (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 4))) (local.get $qend))))
          (br_if $rowsl (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $pend))))
        (br $claim))))

  ;; A operand packing: rows [0, rows) of a row-major matrix at src (row stride ld bytes), depth k,
  ;; into ⌈rows/4⌉ panels of 4 rows over depth kt ≥ k, dst[(r/4)·4kt + 4q + r mod 4] = src[r][q]
  ;; (a slice of the depth when kt > k: dst then points at its first column); rows past `rows` in
  ;; the last panel are 0.
  (func (export "pack4_f64") (param $dst i32) (param $src i32) (param $rows i32) (param $k i32) (param $ld i32) (param $kt i32)
    (local $r i32) (local $rend i32) (local $q i32) (local $o i32) (local $s i32)
    (local.set $rend (i32.shl (i32.shr_u (i32.add (local.get $rows) (i32.const 3)) (i32.const 2)) (i32.const 2)))
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $k)) (i32.eqz (local.get $rows))))
      (loop $rowsl
        (local.set $o (i32.add (local.get $dst) (i32.add (i32.mul (i32.shr_u (local.get $r) (i32.const 2)) (i32.mul (local.get $kt) (i32.const 32)))
          (i32.mul (i32.and (local.get $r) (i32.const 3)) (i32.const 8)))))
        (local.set $s (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $ld))))
        (local.set $q (local.get $k))
        (if (i32.lt_u (local.get $r) (local.get $rows))
          (then
            (loop $copy
              (f64.store (local.get $o) (f64.load (local.get $s)))
              (local.set $o (i32.add (local.get $o) (i32.const 32)))
              (local.set $s (i32.add (local.get $s) (i32.const 8)))
              (br_if $copy (local.tee $q (i32.sub (local.get $q) (i32.const 1))))))
          (else
            (loop $zero
              (f64.store (local.get $o) (f64.const 0))
              (local.set $o (i32.add (local.get $o) (i32.const 32)))
              (br_if $zero (local.tee $q (i32.sub (local.get $q) (i32.const 1)))))))
        (br_if $rowsl (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rend))))))

  ;; The padded copy of `planes` planes: dst (planes × dp × hp × wp elements of s bytes) zeroed, then
  ;; rows [h0, h1) of depth slices [d0, d1) of each source plane (d × h × w at src), columns
  ;; [w0, w1), copied to (d + pd, h + ph, w + pw) — the ranges already cut to what lands inside.
  (func (export "pad") (param $dst i32) (param $src i32) (param $s i32) (param $planes i32)
    (param $d i32) (param $h i32) (param $w i32) (param $dp i32) (param $hp i32) (param $wp i32)
    (param $pd i32) (param $ph i32) (param $pw i32) (param $d0 i32) (param $d1 i32) (param $h0 i32) (param $h1 i32) (param $w0 i32) (param $w1 i32)
    (local $c i32) (local $z i32) (local $y i32) (local $bytes i32) (local $sp i32) (local $dpl i32)
    (memory.fill (local.get $dst) (i32.const 0) (i32.mul (i32.mul (local.get $planes) (i32.mul (local.get $dp) (i32.mul (local.get $hp) (local.get $wp)))) (local.get $s)))
    (local.set $bytes (i32.mul (i32.sub (local.get $w1) (local.get $w0)) (local.get $s)))
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $planes))
        (i32.or (i32.ge_s (local.get $w0) (local.get $w1)) (i32.or (i32.ge_s (local.get $h0) (local.get $h1)) (i32.ge_s (local.get $d0) (local.get $d1))))))
      (loop $planesl
        (local.set $sp (i32.add (local.get $src) (i32.mul (i32.mul (local.get $c) (i32.mul (local.get $d) (i32.mul (local.get $h) (local.get $w)))) (local.get $s))))
        (local.set $dpl (i32.add (local.get $dst) (i32.mul (i32.mul (local.get $c) (i32.mul (local.get $dp) (i32.mul (local.get $hp) (local.get $wp)))) (local.get $s))))
        (local.set $z (local.get $d0))
        (loop $depth
          (local.set $y (local.get $h0))
          (loop $rowsl
            (memory.copy
              (i32.add (local.get $dpl) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (i32.add (local.get $z) (local.get $pd)) (local.get $hp)) (i32.add (local.get $y) (local.get $ph))) (local.get $wp))
                (i32.add (local.get $w0) (local.get $pw))) (local.get $s)))
              (i32.add (local.get $sp) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $z) (local.get $h)) (local.get $y)) (local.get $w)) (local.get $w0)) (local.get $s)))
              (local.get $bytes))
            (br_if $rowsl (i32.lt_s (local.tee $y (i32.add (local.get $y) (i32.const 1))) (local.get $h1))))
          (br_if $depth (i32.lt_s (local.tee $z (i32.add (local.get $z) (i32.const 1))) (local.get $d1))))
        (br_if $planesl (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $planes))))))

  ;; Pooling over precomputed windows (window.ts; spatial axes lifted to D, H, W), the loops of
  ;; pool.ts: max/min start from ∓∞ at the window's first real tap and move on v > best (v < best)
  ;; or NaN, so ties keep the first index; avg sums the taps in window order and divides by
  ;; divisor_override, else the padded or the real tap count. desc (i32): 0 planes, 4 D, 8 H, 12 W,
  ;; 16 OD, 20 OH, 24 OW, 28 sd, 32 sh, 36 sw, 40/44 first/count (D), 48/52 (H), 56/60 (W), 64 x,
  ;; 68 y, 72 indices (i32, max/min), 76 mode (0 max, 1 min, 2 avg), 80/84/88 padded counts (D, H,
  ;; W), 92 divisor_override (0: none), 96 count_include_pad.
  (func $pool_max_f32 (param $d i32)
    (local $plane i32) (local $xb i32) (local $yo i32) (local $od i32) (local $oh i32) (local $ow i32)
    (local $fd i32) (local $cd i32) (local $fh i32) (local $ch i32) (local $fw i32) (local $cw i32)
    (local $a i32) (local $b i32) (local $c i32) (local $r i32) (local $i i32) (local $e i32) (local $rend i32)
    (local $H i32) (local $W i32) (local $pin i32) (local $OD i32) (local $OH i32) (local $OW i32) (local $sd i32) (local $sh i32) (local $sw i32)
    (local $tdf i32) (local $tdc i32) (local $thf i32) (local $thc i32) (local $twf i32) (local $twc i32) (local $override i32) (local $includePad i32)
    (local $v f32) (local $best f32) (local $at i32)
    (local.set $H (i32.load offset=8 (local.get $d)))
    (local.set $W (i32.load offset=12 (local.get $d)))
    (local.set $pin (i32.mul (i32.load offset=4 (local.get $d)) (i32.mul (local.get $H) (local.get $W))))
    (local.set $OD (i32.load offset=16 (local.get $d)))
    (local.set $OH (i32.load offset=20 (local.get $d)))
    (local.set $OW (i32.load offset=24 (local.get $d)))
    (local.set $sd (i32.load offset=28 (local.get $d)))
    (local.set $sh (i32.load offset=32 (local.get $d)))
    (local.set $sw (i32.load offset=36 (local.get $d)))
    (local.set $tdf (i32.load offset=40 (local.get $d)))
    (local.set $tdc (i32.load offset=44 (local.get $d)))
    (local.set $thf (i32.load offset=48 (local.get $d)))
    (local.set $thc (i32.load offset=52 (local.get $d)))
    (local.set $twf (i32.load offset=56 (local.get $d)))
    (local.set $twc (i32.load offset=60 (local.get $d)))
    (local.set $override (i32.load offset=92 (local.get $d)))
    (local.set $includePad (i32.load offset=96 (local.get $d)))
    (block $planes_done
      (br_if $planes_done (i32.or (i32.eqz (i32.load offset=0 (local.get $d))) (i32.or (i32.eqz (local.get $OD)) (i32.or (i32.eqz (local.get $OH)) (i32.eqz (local.get $OW))))))
      (loop $planes
        (local.set $xb (i32.add (i32.load offset=64 (local.get $d)) (i32.shl (i32.mul (local.get $plane) (local.get $pin)) (i32.const 2))))
        (local.set $od (i32.const 0))
        (loop $ods
          (local.set $fd (i32.load (i32.add (local.get $tdf) (i32.shl (local.get $od) (i32.const 2)))))
          (local.set $cd (i32.load (i32.add (local.get $tdc) (i32.shl (local.get $od) (i32.const 2)))))
          (local.set $oh (i32.const 0))
          (loop $ohs
            (local.set $fh (i32.load (i32.add (local.get $thf) (i32.shl (local.get $oh) (i32.const 2)))))
            (local.set $ch (i32.load (i32.add (local.get $thc) (i32.shl (local.get $oh) (i32.const 2)))))
            (local.set $ow (i32.const 0))
            (loop $ows
              (local.set $fw (i32.load (i32.add (local.get $twf) (i32.shl (local.get $ow) (i32.const 2)))))
              (local.set $cw (i32.load (i32.add (local.get $twc) (i32.shl (local.get $ow) (i32.const 2)))))
              (local.set $best (f32.const -inf))
              (local.set $at (if (result i32) (i32.and (i32.and (i32.gt_s (local.get $cd) (i32.const 0)) (i32.gt_s (local.get $ch) (i32.const 0))) (i32.gt_s (local.get $cw) (i32.const 0)))
                (then (i32.add (i32.mul (i32.add (i32.mul (local.get $fd) (local.get $H)) (local.get $fh)) (local.get $W)) (local.get $fw)))
                (else (i32.const -1))))
              (local.set $a (i32.const 0))
              (block $a_done
                (loop $as
                  (br_if $a_done (i32.ge_s (local.get $a) (local.get $cd)))
                  (local.set $b (i32.const 0))
                  (block $b_done
                    (loop $bs
                      (br_if $b_done (i32.ge_s (local.get $b) (local.get $ch)))
                      ;; the row's first tap r = ((fd + a·sd)·H + fh + b·sh)·W + fw; taps i = r + c·sw, c < cw
                      (local.set $r (i32.add (i32.mul (i32.add (i32.mul (i32.add (local.get $fd) (i32.mul (local.get $a) (local.get $sd))) (local.get $H))
                        (i32.add (local.get $fh) (i32.mul (local.get $b) (local.get $sh)))) (local.get $W)) (local.get $fw)))
                      (local.set $i (local.get $r))
                      (local.set $rend (i32.add (local.get $r) (i32.mul (local.get $cw) (local.get $sw))))
                      (block $c_done
                        (loop $cs
                          (br_if $c_done (i32.ge_s (local.get $i) (local.get $rend)))
                          (local.set $v (f32.load (i32.add (local.get $xb) (i32.shl (local.get $i) (i32.const 2)))))
                          (if (i32.or (f32.gt (local.get $v) (local.get $best)) (f32.ne (local.get $v) (local.get $v)))
                            (then (local.set $best (local.get $v)) (local.set $at (local.get $i))))
                          (local.set $i (i32.add (local.get $i) (local.get $sw)))
                          (br $cs)))
                      (local.set $b (i32.add (local.get $b) (i32.const 1)))
                      (br $bs)))
                  (local.set $a (i32.add (local.get $a) (i32.const 1)))
                  (br $as)))
              (f32.store (i32.add (i32.load offset=68 (local.get $d)) (i32.shl (local.get $yo) (i32.const 2))) (local.get $best))
              (i32.store (i32.add (i32.load offset=72 (local.get $d)) (i32.shl (local.get $yo) (i32.const 2))) (local.get $at))
              (local.set $yo (i32.add (local.get $yo) (i32.const 1)))
              (br_if $ows (i32.lt_s (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $OW))))
            (br_if $ohs (i32.lt_s (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $OH))))
          (br_if $ods (i32.lt_s (local.tee $od (i32.add (local.get $od) (i32.const 1))) (local.get $OD))))
        (br_if $planes (i32.lt_u (local.tee $plane (i32.add (local.get $plane) (i32.const 1))) (i32.load offset=0 (local.get $d)))))))

  (func $pool_min_f32 (param $d i32)
    (local $plane i32) (local $xb i32) (local $yo i32) (local $od i32) (local $oh i32) (local $ow i32)
    (local $fd i32) (local $cd i32) (local $fh i32) (local $ch i32) (local $fw i32) (local $cw i32)
    (local $a i32) (local $b i32) (local $c i32) (local $r i32) (local $i i32) (local $e i32) (local $rend i32)
    (local $H i32) (local $W i32) (local $pin i32) (local $OD i32) (local $OH i32) (local $OW i32) (local $sd i32) (local $sh i32) (local $sw i32)
    (local $tdf i32) (local $tdc i32) (local $thf i32) (local $thc i32) (local $twf i32) (local $twc i32) (local $override i32) (local $includePad i32)
    (local $v f32) (local $best f32) (local $at i32)
    (local.set $H (i32.load offset=8 (local.get $d)))
    (local.set $W (i32.load offset=12 (local.get $d)))
    (local.set $pin (i32.mul (i32.load offset=4 (local.get $d)) (i32.mul (local.get $H) (local.get $W))))
    (local.set $OD (i32.load offset=16 (local.get $d)))
    (local.set $OH (i32.load offset=20 (local.get $d)))
    (local.set $OW (i32.load offset=24 (local.get $d)))
    (local.set $sd (i32.load offset=28 (local.get $d)))
    (local.set $sh (i32.load offset=32 (local.get $d)))
    (local.set $sw (i32.load offset=36 (local.get $d)))
    (local.set $tdf (i32.load offset=40 (local.get $d)))
    (local.set $tdc (i32.load offset=44 (local.get $d)))
    (local.set $thf (i32.load offset=48 (local.get $d)))
    (local.set $thc (i32.load offset=52 (local.get $d)))
    (local.set $twf (i32.load offset=56 (local.get $d)))
    (local.set $twc (i32.load offset=60 (local.get $d)))
    (local.set $override (i32.load offset=92 (local.get $d)))
    (local.set $includePad (i32.load offset=96 (local.get $d)))
    (block $planes_done
      (br_if $planes_done (i32.or (i32.eqz (i32.load offset=0 (local.get $d))) (i32.or (i32.eqz (local.get $OD)) (i32.or (i32.eqz (local.get $OH)) (i32.eqz (local.get $OW))))))
      (loop $planes
        (local.set $xb (i32.add (i32.load offset=64 (local.get $d)) (i32.shl (i32.mul (local.get $plane) (local.get $pin)) (i32.const 2))))
        (local.set $od (i32.const 0))
        (loop $ods
          (local.set $fd (i32.load (i32.add (local.get $tdf) (i32.shl (local.get $od) (i32.const 2)))))
          (local.set $cd (i32.load (i32.add (local.get $tdc) (i32.shl (local.get $od) (i32.const 2)))))
          (local.set $oh (i32.const 0))
          (loop $ohs
            (local.set $fh (i32.load (i32.add (local.get $thf) (i32.shl (local.get $oh) (i32.const 2)))))
            (local.set $ch (i32.load (i32.add (local.get $thc) (i32.shl (local.get $oh) (i32.const 2)))))
            (local.set $ow (i32.const 0))
            (loop $ows
              (local.set $fw (i32.load (i32.add (local.get $twf) (i32.shl (local.get $ow) (i32.const 2)))))
              (local.set $cw (i32.load (i32.add (local.get $twc) (i32.shl (local.get $ow) (i32.const 2)))))
              (local.set $best (f32.const inf))
              (local.set $at (if (result i32) (i32.and (i32.and (i32.gt_s (local.get $cd) (i32.const 0)) (i32.gt_s (local.get $ch) (i32.const 0))) (i32.gt_s (local.get $cw) (i32.const 0)))
                (then (i32.add (i32.mul (i32.add (i32.mul (local.get $fd) (local.get $H)) (local.get $fh)) (local.get $W)) (local.get $fw)))
                (else (i32.const -1))))
              (local.set $a (i32.const 0))
              (block $a_done
                (loop $as
                  (br_if $a_done (i32.ge_s (local.get $a) (local.get $cd)))
                  (local.set $b (i32.const 0))
                  (block $b_done
                    (loop $bs
                      (br_if $b_done (i32.ge_s (local.get $b) (local.get $ch)))
                      ;; the row's first tap r = ((fd + a·sd)·H + fh + b·sh)·W + fw; taps i = r + c·sw, c < cw
                      (local.set $r (i32.add (i32.mul (i32.add (i32.mul (i32.add (local.get $fd) (i32.mul (local.get $a) (local.get $sd))) (local.get $H))
                        (i32.add (local.get $fh) (i32.mul (local.get $b) (local.get $sh)))) (local.get $W)) (local.get $fw)))
                      (local.set $i (local.get $r))
                      (local.set $rend (i32.add (local.get $r) (i32.mul (local.get $cw) (local.get $sw))))
                      (block $c_done
                        (loop $cs
                          (br_if $c_done (i32.ge_s (local.get $i) (local.get $rend)))
                          (local.set $v (f32.load (i32.add (local.get $xb) (i32.shl (local.get $i) (i32.const 2)))))
                          (if (i32.or (f32.lt (local.get $v) (local.get $best)) (f32.ne (local.get $v) (local.get $v)))
                            (then (local.set $best (local.get $v)) (local.set $at (local.get $i))))
                          (local.set $i (i32.add (local.get $i) (local.get $sw)))
                          (br $cs)))
                      (local.set $b (i32.add (local.get $b) (i32.const 1)))
                      (br $bs)))
                  (local.set $a (i32.add (local.get $a) (i32.const 1)))
                  (br $as)))
              (f32.store (i32.add (i32.load offset=68 (local.get $d)) (i32.shl (local.get $yo) (i32.const 2))) (local.get $best))
              (i32.store (i32.add (i32.load offset=72 (local.get $d)) (i32.shl (local.get $yo) (i32.const 2))) (local.get $at))
              (local.set $yo (i32.add (local.get $yo) (i32.const 1)))
              (br_if $ows (i32.lt_s (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $OW))))
            (br_if $ohs (i32.lt_s (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $OH))))
          (br_if $ods (i32.lt_s (local.tee $od (i32.add (local.get $od) (i32.const 1))) (local.get $OD))))
        (br_if $planes (i32.lt_u (local.tee $plane (i32.add (local.get $plane) (i32.const 1))) (i32.load offset=0 (local.get $d)))))))

  (func $pool_avg_f32 (param $d i32)
    (local $plane i32) (local $xb i32) (local $yo i32) (local $od i32) (local $oh i32) (local $ow i32)
    (local $fd i32) (local $cd i32) (local $fh i32) (local $ch i32) (local $fw i32) (local $cw i32)
    (local $a i32) (local $b i32) (local $c i32) (local $r i32) (local $i i32) (local $e i32) (local $rend i32)
    (local $H i32) (local $W i32) (local $pin i32) (local $OD i32) (local $OH i32) (local $OW i32) (local $sd i32) (local $sh i32) (local $sw i32)
    (local $tdf i32) (local $tdc i32) (local $thf i32) (local $thc i32) (local $twf i32) (local $twc i32) (local $override i32) (local $includePad i32)
    (local $best f32)
    (local.set $H (i32.load offset=8 (local.get $d)))
    (local.set $W (i32.load offset=12 (local.get $d)))
    (local.set $pin (i32.mul (i32.load offset=4 (local.get $d)) (i32.mul (local.get $H) (local.get $W))))
    (local.set $OD (i32.load offset=16 (local.get $d)))
    (local.set $OH (i32.load offset=20 (local.get $d)))
    (local.set $OW (i32.load offset=24 (local.get $d)))
    (local.set $sd (i32.load offset=28 (local.get $d)))
    (local.set $sh (i32.load offset=32 (local.get $d)))
    (local.set $sw (i32.load offset=36 (local.get $d)))
    (local.set $tdf (i32.load offset=40 (local.get $d)))
    (local.set $tdc (i32.load offset=44 (local.get $d)))
    (local.set $thf (i32.load offset=48 (local.get $d)))
    (local.set $thc (i32.load offset=52 (local.get $d)))
    (local.set $twf (i32.load offset=56 (local.get $d)))
    (local.set $twc (i32.load offset=60 (local.get $d)))
    (local.set $override (i32.load offset=92 (local.get $d)))
    (local.set $includePad (i32.load offset=96 (local.get $d)))
    (block $planes_done
      (br_if $planes_done (i32.or (i32.eqz (i32.load offset=0 (local.get $d))) (i32.or (i32.eqz (local.get $OD)) (i32.or (i32.eqz (local.get $OH)) (i32.eqz (local.get $OW))))))
      (loop $planes
        (local.set $xb (i32.add (i32.load offset=64 (local.get $d)) (i32.shl (i32.mul (local.get $plane) (local.get $pin)) (i32.const 2))))
        (local.set $od (i32.const 0))
        (loop $ods
          (local.set $fd (i32.load (i32.add (local.get $tdf) (i32.shl (local.get $od) (i32.const 2)))))
          (local.set $cd (i32.load (i32.add (local.get $tdc) (i32.shl (local.get $od) (i32.const 2)))))
          (local.set $oh (i32.const 0))
          (loop $ohs
            (local.set $fh (i32.load (i32.add (local.get $thf) (i32.shl (local.get $oh) (i32.const 2)))))
            (local.set $ch (i32.load (i32.add (local.get $thc) (i32.shl (local.get $oh) (i32.const 2)))))
            (local.set $ow (i32.const 0))
            (loop $ows
              (local.set $fw (i32.load (i32.add (local.get $twf) (i32.shl (local.get $ow) (i32.const 2)))))
              (local.set $cw (i32.load (i32.add (local.get $twc) (i32.shl (local.get $ow) (i32.const 2)))))
              (local.set $best (f32.const 0))
              (local.set $a (i32.const 0))
              (block $a_done
                (loop $as
                  (br_if $a_done (i32.ge_s (local.get $a) (local.get $cd)))
                  (local.set $b (i32.const 0))
                  (block $b_done
                    (loop $bs
                      (br_if $b_done (i32.ge_s (local.get $b) (local.get $ch)))
                      ;; the row's first tap r = ((fd + a·sd)·H + fh + b·sh)·W + fw; taps i = r + c·sw, c < cw
                      (local.set $r (i32.add (i32.mul (i32.add (i32.mul (i32.add (local.get $fd) (i32.mul (local.get $a) (local.get $sd))) (local.get $H))
                        (i32.add (local.get $fh) (i32.mul (local.get $b) (local.get $sh)))) (local.get $W)) (local.get $fw)))
                      (local.set $i (local.get $r))
                      (local.set $rend (i32.add (local.get $r) (i32.mul (local.get $cw) (local.get $sw))))
                      (block $c_done
                        (loop $cs
                          (br_if $c_done (i32.ge_s (local.get $i) (local.get $rend)))
                          (local.set $best (f32.add (local.get $best) (f32.load (i32.add (local.get $xb) (i32.shl (local.get $i) (i32.const 2))))))
                          (local.set $i (i32.add (local.get $i) (local.get $sw)))
                          (br $cs)))
                      (local.set $b (i32.add (local.get $b) (i32.const 1)))
                      (br $bs)))
                  (local.set $a (i32.add (local.get $a) (i32.const 1)))
                  (br $as)))
              (f32.store (i32.add (i32.load offset=68 (local.get $d)) (i32.shl (local.get $yo) (i32.const 2)))
                (f32.div (local.get $best) (if (result f32) (local.get $override)
                  (then (f32.convert_i32_s (local.get $override)))
                  (else (f32.convert_i32_s (if (result i32) (local.get $includePad)
                    (then (i32.mul (i32.mul
                      (i32.load (i32.add (i32.load offset=80 (local.get $d)) (i32.shl (local.get $od) (i32.const 2))))
                      (i32.load (i32.add (i32.load offset=84 (local.get $d)) (i32.shl (local.get $oh) (i32.const 2)))))
                      (i32.load (i32.add (i32.load offset=88 (local.get $d)) (i32.shl (local.get $ow) (i32.const 2))))))
                    (else (i32.mul (i32.mul (local.get $cd) (local.get $ch)) (local.get $cw)))))))))
              (local.set $yo (i32.add (local.get $yo) (i32.const 1)))
              (br_if $ows (i32.lt_s (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $OW))))
            (br_if $ohs (i32.lt_s (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $OH))))
          (br_if $ods (i32.lt_s (local.tee $od (i32.add (local.get $od) (i32.const 1))) (local.get $OD))))
        (br_if $planes (i32.lt_u (local.tee $plane (i32.add (local.get $plane) (i32.const 1))) (i32.load offset=0 (local.get $d)))))))

  (func (export "pool_f32") (param $d i32)
    (if (i32.eq (i32.load offset=76 (local.get $d)) (i32.const 0)) (then (call $pool_max_f32 (local.get $d)))
      (else (if (i32.eq (i32.load offset=76 (local.get $d)) (i32.const 1)) (then (call $pool_min_f32 (local.get $d)))
        (else (call $pool_avg_f32 (local.get $d)))))))

  ;; The adjoint of average pooling: dx (zeroed) += dy / divisor on every tap of each window;
  ;; desc as pool_f32, with 64 dx and 68 dy.
  (func (export "pool_avg_back_f32") (param $d i32)
    (local $plane i32) (local $xb i32) (local $yo i32) (local $od i32) (local $oh i32) (local $ow i32)
    (local $fd i32) (local $cd i32) (local $fh i32) (local $ch i32) (local $fw i32) (local $cw i32)
    (local $a i32) (local $b i32) (local $c i32) (local $r i32) (local $i i32) (local $e i32) (local $rend i32)
    (local $H i32) (local $W i32) (local $pin i32) (local $OD i32) (local $OH i32) (local $OW i32) (local $sd i32) (local $sh i32) (local $sw i32)
    (local $tdf i32) (local $tdc i32) (local $thf i32) (local $thc i32) (local $twf i32) (local $twc i32) (local $override i32) (local $includePad i32)
    (local $g f32)
    (local.set $H (i32.load offset=8 (local.get $d)))
    (local.set $W (i32.load offset=12 (local.get $d)))
    (local.set $pin (i32.mul (i32.load offset=4 (local.get $d)) (i32.mul (local.get $H) (local.get $W))))
    (local.set $OD (i32.load offset=16 (local.get $d)))
    (local.set $OH (i32.load offset=20 (local.get $d)))
    (local.set $OW (i32.load offset=24 (local.get $d)))
    (local.set $sd (i32.load offset=28 (local.get $d)))
    (local.set $sh (i32.load offset=32 (local.get $d)))
    (local.set $sw (i32.load offset=36 (local.get $d)))
    (local.set $tdf (i32.load offset=40 (local.get $d)))
    (local.set $tdc (i32.load offset=44 (local.get $d)))
    (local.set $thf (i32.load offset=48 (local.get $d)))
    (local.set $thc (i32.load offset=52 (local.get $d)))
    (local.set $twf (i32.load offset=56 (local.get $d)))
    (local.set $twc (i32.load offset=60 (local.get $d)))
    (local.set $override (i32.load offset=92 (local.get $d)))
    (local.set $includePad (i32.load offset=96 (local.get $d)))
    (block $planes_done
      (br_if $planes_done (i32.or (i32.eqz (i32.load offset=0 (local.get $d))) (i32.or (i32.eqz (local.get $OD)) (i32.or (i32.eqz (local.get $OH)) (i32.eqz (local.get $OW))))))
      (loop $planes
        (local.set $xb (i32.add (i32.load offset=64 (local.get $d)) (i32.shl (i32.mul (local.get $plane) (local.get $pin)) (i32.const 2))))
        (local.set $od (i32.const 0))
        (loop $ods
          (local.set $fd (i32.load (i32.add (local.get $tdf) (i32.shl (local.get $od) (i32.const 2)))))
          (local.set $cd (i32.load (i32.add (local.get $tdc) (i32.shl (local.get $od) (i32.const 2)))))
          (local.set $oh (i32.const 0))
          (loop $ohs
            (local.set $fh (i32.load (i32.add (local.get $thf) (i32.shl (local.get $oh) (i32.const 2)))))
            (local.set $ch (i32.load (i32.add (local.get $thc) (i32.shl (local.get $oh) (i32.const 2)))))
            (local.set $ow (i32.const 0))
            (loop $ows
              (local.set $fw (i32.load (i32.add (local.get $twf) (i32.shl (local.get $ow) (i32.const 2)))))
              (local.set $cw (i32.load (i32.add (local.get $twc) (i32.shl (local.get $ow) (i32.const 2)))))
              (local.set $g (f32.div (f32.load (i32.add (i32.load offset=68 (local.get $d)) (i32.shl (local.get $yo) (i32.const 2)))) (if (result f32) (local.get $override)
                  (then (f32.convert_i32_s (local.get $override)))
                  (else (f32.convert_i32_s (if (result i32) (local.get $includePad)
                    (then (i32.mul (i32.mul
                      (i32.load (i32.add (i32.load offset=80 (local.get $d)) (i32.shl (local.get $od) (i32.const 2))))
                      (i32.load (i32.add (i32.load offset=84 (local.get $d)) (i32.shl (local.get $oh) (i32.const 2)))))
                      (i32.load (i32.add (i32.load offset=88 (local.get $d)) (i32.shl (local.get $ow) (i32.const 2))))))
                    (else (i32.mul (i32.mul (local.get $cd) (local.get $ch)) (local.get $cw)))))))))
              (local.set $a (i32.const 0))
              (block $a_done
                (loop $as
                  (br_if $a_done (i32.ge_s (local.get $a) (local.get $cd)))
                  (local.set $b (i32.const 0))
                  (block $b_done
                    (loop $bs
                      (br_if $b_done (i32.ge_s (local.get $b) (local.get $ch)))
                      ;; the row's first tap r = ((fd + a·sd)·H + fh + b·sh)·W + fw; taps i = r + c·sw, c < cw
                      (local.set $r (i32.add (i32.mul (i32.add (i32.mul (i32.add (local.get $fd) (i32.mul (local.get $a) (local.get $sd))) (local.get $H))
                        (i32.add (local.get $fh) (i32.mul (local.get $b) (local.get $sh)))) (local.get $W)) (local.get $fw)))
                      (local.set $i (local.get $r))
                      (local.set $rend (i32.add (local.get $r) (i32.mul (local.get $cw) (local.get $sw))))
                      (block $c_done
                        (loop $cs
                          (br_if $c_done (i32.ge_s (local.get $i) (local.get $rend)))
                          (local.set $e (i32.add (local.get $xb) (i32.shl (local.get $i) (i32.const 2))))
                          (f32.store (local.get $e) (f32.add (f32.load (local.get $e)) (local.get $g)))
                          (local.set $i (i32.add (local.get $i) (local.get $sw)))
                          (br $cs)))
                      (local.set $b (i32.add (local.get $b) (i32.const 1)))
                      (br $bs)))
                  (local.set $a (i32.add (local.get $a) (i32.const 1)))
                  (br $as)))

              (local.set $yo (i32.add (local.get $yo) (i32.const 1)))
              (br_if $ows (i32.lt_s (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $OW))))
            (br_if $ohs (i32.lt_s (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $OH))))
          (br_if $ods (i32.lt_s (local.tee $od (i32.add (local.get $od) (i32.const 1))) (local.get $OD))))
        (br_if $planes (i32.lt_u (local.tee $plane (i32.add (local.get $plane) (i32.const 1))) (i32.load offset=0 (local.get $d)))))))

  (func $pool_max_f64 (param $d i32)
    (local $plane i32) (local $xb i32) (local $yo i32) (local $od i32) (local $oh i32) (local $ow i32)
    (local $fd i32) (local $cd i32) (local $fh i32) (local $ch i32) (local $fw i32) (local $cw i32)
    (local $a i32) (local $b i32) (local $c i32) (local $r i32) (local $i i32) (local $e i32) (local $rend i32)
    (local $H i32) (local $W i32) (local $pin i32) (local $OD i32) (local $OH i32) (local $OW i32) (local $sd i32) (local $sh i32) (local $sw i32)
    (local $tdf i32) (local $tdc i32) (local $thf i32) (local $thc i32) (local $twf i32) (local $twc i32) (local $override i32) (local $includePad i32)
    (local $v f64) (local $best f64) (local $at i32)
    (local.set $H (i32.load offset=8 (local.get $d)))
    (local.set $W (i32.load offset=12 (local.get $d)))
    (local.set $pin (i32.mul (i32.load offset=4 (local.get $d)) (i32.mul (local.get $H) (local.get $W))))
    (local.set $OD (i32.load offset=16 (local.get $d)))
    (local.set $OH (i32.load offset=20 (local.get $d)))
    (local.set $OW (i32.load offset=24 (local.get $d)))
    (local.set $sd (i32.load offset=28 (local.get $d)))
    (local.set $sh (i32.load offset=32 (local.get $d)))
    (local.set $sw (i32.load offset=36 (local.get $d)))
    (local.set $tdf (i32.load offset=40 (local.get $d)))
    (local.set $tdc (i32.load offset=44 (local.get $d)))
    (local.set $thf (i32.load offset=48 (local.get $d)))
    (local.set $thc (i32.load offset=52 (local.get $d)))
    (local.set $twf (i32.load offset=56 (local.get $d)))
    (local.set $twc (i32.load offset=60 (local.get $d)))
    (local.set $override (i32.load offset=92 (local.get $d)))
    (local.set $includePad (i32.load offset=96 (local.get $d)))
    (block $planes_done
      (br_if $planes_done (i32.or (i32.eqz (i32.load offset=0 (local.get $d))) (i32.or (i32.eqz (local.get $OD)) (i32.or (i32.eqz (local.get $OH)) (i32.eqz (local.get $OW))))))
      (loop $planes
        (local.set $xb (i32.add (i32.load offset=64 (local.get $d)) (i32.shl (i32.mul (local.get $plane) (local.get $pin)) (i32.const 3))))
        (local.set $od (i32.const 0))
        (loop $ods
          (local.set $fd (i32.load (i32.add (local.get $tdf) (i32.shl (local.get $od) (i32.const 2)))))
          (local.set $cd (i32.load (i32.add (local.get $tdc) (i32.shl (local.get $od) (i32.const 2)))))
          (local.set $oh (i32.const 0))
          (loop $ohs
            (local.set $fh (i32.load (i32.add (local.get $thf) (i32.shl (local.get $oh) (i32.const 2)))))
            (local.set $ch (i32.load (i32.add (local.get $thc) (i32.shl (local.get $oh) (i32.const 2)))))
            (local.set $ow (i32.const 0))
            (loop $ows
              (local.set $fw (i32.load (i32.add (local.get $twf) (i32.shl (local.get $ow) (i32.const 2)))))
              (local.set $cw (i32.load (i32.add (local.get $twc) (i32.shl (local.get $ow) (i32.const 2)))))
              (local.set $best (f64.const -inf))
              (local.set $at (if (result i32) (i32.and (i32.and (i32.gt_s (local.get $cd) (i32.const 0)) (i32.gt_s (local.get $ch) (i32.const 0))) (i32.gt_s (local.get $cw) (i32.const 0)))
                (then (i32.add (i32.mul (i32.add (i32.mul (local.get $fd) (local.get $H)) (local.get $fh)) (local.get $W)) (local.get $fw)))
                (else (i32.const -1))))
              (local.set $a (i32.const 0))
              (block $a_done
                (loop $as
                  (br_if $a_done (i32.ge_s (local.get $a) (local.get $cd)))
                  (local.set $b (i32.const 0))
                  (block $b_done
                    (loop $bs
                      (br_if $b_done (i32.ge_s (local.get $b) (local.get $ch)))
                      ;; the row's first tap r = ((fd + a·sd)·H + fh + b·sh)·W + fw; taps i = r + c·sw, c < cw
                      (local.set $r (i32.add (i32.mul (i32.add (i32.mul (i32.add (local.get $fd) (i32.mul (local.get $a) (local.get $sd))) (local.get $H))
                        (i32.add (local.get $fh) (i32.mul (local.get $b) (local.get $sh)))) (local.get $W)) (local.get $fw)))
                      (local.set $i (local.get $r))
                      (local.set $rend (i32.add (local.get $r) (i32.mul (local.get $cw) (local.get $sw))))
                      (block $c_done
                        (loop $cs
                          (br_if $c_done (i32.ge_s (local.get $i) (local.get $rend)))
                          (local.set $v (f64.load (i32.add (local.get $xb) (i32.shl (local.get $i) (i32.const 3)))))
                          (if (i32.or (f64.gt (local.get $v) (local.get $best)) (f64.ne (local.get $v) (local.get $v)))
                            (then (local.set $best (local.get $v)) (local.set $at (local.get $i))))
                          (local.set $i (i32.add (local.get $i) (local.get $sw)))
                          (br $cs)))
                      (local.set $b (i32.add (local.get $b) (i32.const 1)))
                      (br $bs)))
                  (local.set $a (i32.add (local.get $a) (i32.const 1)))
                  (br $as)))
              (f64.store (i32.add (i32.load offset=68 (local.get $d)) (i32.shl (local.get $yo) (i32.const 3))) (local.get $best))
              (i32.store (i32.add (i32.load offset=72 (local.get $d)) (i32.shl (local.get $yo) (i32.const 2))) (local.get $at))
              (local.set $yo (i32.add (local.get $yo) (i32.const 1)))
              (br_if $ows (i32.lt_s (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $OW))))
            (br_if $ohs (i32.lt_s (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $OH))))
          (br_if $ods (i32.lt_s (local.tee $od (i32.add (local.get $od) (i32.const 1))) (local.get $OD))))
        (br_if $planes (i32.lt_u (local.tee $plane (i32.add (local.get $plane) (i32.const 1))) (i32.load offset=0 (local.get $d)))))))

  (func $pool_min_f64 (param $d i32)
    (local $plane i32) (local $xb i32) (local $yo i32) (local $od i32) (local $oh i32) (local $ow i32)
    (local $fd i32) (local $cd i32) (local $fh i32) (local $ch i32) (local $fw i32) (local $cw i32)
    (local $a i32) (local $b i32) (local $c i32) (local $r i32) (local $i i32) (local $e i32) (local $rend i32)
    (local $H i32) (local $W i32) (local $pin i32) (local $OD i32) (local $OH i32) (local $OW i32) (local $sd i32) (local $sh i32) (local $sw i32)
    (local $tdf i32) (local $tdc i32) (local $thf i32) (local $thc i32) (local $twf i32) (local $twc i32) (local $override i32) (local $includePad i32)
    (local $v f64) (local $best f64) (local $at i32)
    (local.set $H (i32.load offset=8 (local.get $d)))
    (local.set $W (i32.load offset=12 (local.get $d)))
    (local.set $pin (i32.mul (i32.load offset=4 (local.get $d)) (i32.mul (local.get $H) (local.get $W))))
    (local.set $OD (i32.load offset=16 (local.get $d)))
    (local.set $OH (i32.load offset=20 (local.get $d)))
    (local.set $OW (i32.load offset=24 (local.get $d)))
    (local.set $sd (i32.load offset=28 (local.get $d)))
    (local.set $sh (i32.load offset=32 (local.get $d)))
    (local.set $sw (i32.load offset=36 (local.get $d)))
    (local.set $tdf (i32.load offset=40 (local.get $d)))
    (local.set $tdc (i32.load offset=44 (local.get $d)))
    (local.set $thf (i32.load offset=48 (local.get $d)))
    (local.set $thc (i32.load offset=52 (local.get $d)))
    (local.set $twf (i32.load offset=56 (local.get $d)))
    (local.set $twc (i32.load offset=60 (local.get $d)))
    (local.set $override (i32.load offset=92 (local.get $d)))
    (local.set $includePad (i32.load offset=96 (local.get $d)))
    (block $planes_done
      (br_if $planes_done (i32.or (i32.eqz (i32.load offset=0 (local.get $d))) (i32.or (i32.eqz (local.get $OD)) (i32.or (i32.eqz (local.get $OH)) (i32.eqz (local.get $OW))))))
      (loop $planes
        (local.set $xb (i32.add (i32.load offset=64 (local.get $d)) (i32.shl (i32.mul (local.get $plane) (local.get $pin)) (i32.const 3))))
        (local.set $od (i32.const 0))
        (loop $ods
          (local.set $fd (i32.load (i32.add (local.get $tdf) (i32.shl (local.get $od) (i32.const 2)))))
          (local.set $cd (i32.load (i32.add (local.get $tdc) (i32.shl (local.get $od) (i32.const 2)))))
          (local.set $oh (i32.const 0))
          (loop $ohs
            (local.set $fh (i32.load (i32.add (local.get $thf) (i32.shl (local.get $oh) (i32.const 2)))))
            (local.set $ch (i32.load (i32.add (local.get $thc) (i32.shl (local.get $oh) (i32.const 2)))))
            (local.set $ow (i32.const 0))
            (loop $ows
              (local.set $fw (i32.load (i32.add (local.get $twf) (i32.shl (local.get $ow) (i32.const 2)))))
              (local.set $cw (i32.load (i32.add (local.get $twc) (i32.shl (local.get $ow) (i32.const 2)))))
              (local.set $best (f64.const inf))
              (local.set $at (if (result i32) (i32.and (i32.and (i32.gt_s (local.get $cd) (i32.const 0)) (i32.gt_s (local.get $ch) (i32.const 0))) (i32.gt_s (local.get $cw) (i32.const 0)))
                (then (i32.add (i32.mul (i32.add (i32.mul (local.get $fd) (local.get $H)) (local.get $fh)) (local.get $W)) (local.get $fw)))
                (else (i32.const -1))))
              (local.set $a (i32.const 0))
              (block $a_done
                (loop $as
                  (br_if $a_done (i32.ge_s (local.get $a) (local.get $cd)))
                  (local.set $b (i32.const 0))
                  (block $b_done
                    (loop $bs
                      (br_if $b_done (i32.ge_s (local.get $b) (local.get $ch)))
                      ;; the row's first tap r = ((fd + a·sd)·H + fh + b·sh)·W + fw; taps i = r + c·sw, c < cw
                      (local.set $r (i32.add (i32.mul (i32.add (i32.mul (i32.add (local.get $fd) (i32.mul (local.get $a) (local.get $sd))) (local.get $H))
                        (i32.add (local.get $fh) (i32.mul (local.get $b) (local.get $sh)))) (local.get $W)) (local.get $fw)))
                      (local.set $i (local.get $r))
                      (local.set $rend (i32.add (local.get $r) (i32.mul (local.get $cw) (local.get $sw))))
                      (block $c_done
                        (loop $cs
                          (br_if $c_done (i32.ge_s (local.get $i) (local.get $rend)))
                          (local.set $v (f64.load (i32.add (local.get $xb) (i32.shl (local.get $i) (i32.const 3)))))
                          (if (i32.or (f64.lt (local.get $v) (local.get $best)) (f64.ne (local.get $v) (local.get $v)))
                            (then (local.set $best (local.get $v)) (local.set $at (local.get $i))))
                          (local.set $i (i32.add (local.get $i) (local.get $sw)))
                          (br $cs)))
                      (local.set $b (i32.add (local.get $b) (i32.const 1)))
                      (br $bs)))
                  (local.set $a (i32.add (local.get $a) (i32.const 1)))
                  (br $as)))
              (f64.store (i32.add (i32.load offset=68 (local.get $d)) (i32.shl (local.get $yo) (i32.const 3))) (local.get $best))
              (i32.store (i32.add (i32.load offset=72 (local.get $d)) (i32.shl (local.get $yo) (i32.const 2))) (local.get $at))
              (local.set $yo (i32.add (local.get $yo) (i32.const 1)))
              (br_if $ows (i32.lt_s (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $OW))))
            (br_if $ohs (i32.lt_s (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $OH))))
          (br_if $ods (i32.lt_s (local.tee $od (i32.add (local.get $od) (i32.const 1))) (local.get $OD))))
        (br_if $planes (i32.lt_u (local.tee $plane (i32.add (local.get $plane) (i32.const 1))) (i32.load offset=0 (local.get $d)))))))

  (func $pool_avg_f64 (param $d i32)
    (local $plane i32) (local $xb i32) (local $yo i32) (local $od i32) (local $oh i32) (local $ow i32)
    (local $fd i32) (local $cd i32) (local $fh i32) (local $ch i32) (local $fw i32) (local $cw i32)
    (local $a i32) (local $b i32) (local $c i32) (local $r i32) (local $i i32) (local $e i32) (local $rend i32)
    (local $H i32) (local $W i32) (local $pin i32) (local $OD i32) (local $OH i32) (local $OW i32) (local $sd i32) (local $sh i32) (local $sw i32)
    (local $tdf i32) (local $tdc i32) (local $thf i32) (local $thc i32) (local $twf i32) (local $twc i32) (local $override i32) (local $includePad i32)
    (local $best f64)
    (local.set $H (i32.load offset=8 (local.get $d)))
    (local.set $W (i32.load offset=12 (local.get $d)))
    (local.set $pin (i32.mul (i32.load offset=4 (local.get $d)) (i32.mul (local.get $H) (local.get $W))))
    (local.set $OD (i32.load offset=16 (local.get $d)))
    (local.set $OH (i32.load offset=20 (local.get $d)))
    (local.set $OW (i32.load offset=24 (local.get $d)))
    (local.set $sd (i32.load offset=28 (local.get $d)))
    (local.set $sh (i32.load offset=32 (local.get $d)))
    (local.set $sw (i32.load offset=36 (local.get $d)))
    (local.set $tdf (i32.load offset=40 (local.get $d)))
    (local.set $tdc (i32.load offset=44 (local.get $d)))
    (local.set $thf (i32.load offset=48 (local.get $d)))
    (local.set $thc (i32.load offset=52 (local.get $d)))
    (local.set $twf (i32.load offset=56 (local.get $d)))
    (local.set $twc (i32.load offset=60 (local.get $d)))
    (local.set $override (i32.load offset=92 (local.get $d)))
    (local.set $includePad (i32.load offset=96 (local.get $d)))
    (block $planes_done
      (br_if $planes_done (i32.or (i32.eqz (i32.load offset=0 (local.get $d))) (i32.or (i32.eqz (local.get $OD)) (i32.or (i32.eqz (local.get $OH)) (i32.eqz (local.get $OW))))))
      (loop $planes
        (local.set $xb (i32.add (i32.load offset=64 (local.get $d)) (i32.shl (i32.mul (local.get $plane) (local.get $pin)) (i32.const 3))))
        (local.set $od (i32.const 0))
        (loop $ods
          (local.set $fd (i32.load (i32.add (local.get $tdf) (i32.shl (local.get $od) (i32.const 2)))))
          (local.set $cd (i32.load (i32.add (local.get $tdc) (i32.shl (local.get $od) (i32.const 2)))))
          (local.set $oh (i32.const 0))
          (loop $ohs
            (local.set $fh (i32.load (i32.add (local.get $thf) (i32.shl (local.get $oh) (i32.const 2)))))
            (local.set $ch (i32.load (i32.add (local.get $thc) (i32.shl (local.get $oh) (i32.const 2)))))
            (local.set $ow (i32.const 0))
            (loop $ows
              (local.set $fw (i32.load (i32.add (local.get $twf) (i32.shl (local.get $ow) (i32.const 2)))))
              (local.set $cw (i32.load (i32.add (local.get $twc) (i32.shl (local.get $ow) (i32.const 2)))))
              (local.set $best (f64.const 0))
              (local.set $a (i32.const 0))
              (block $a_done
                (loop $as
                  (br_if $a_done (i32.ge_s (local.get $a) (local.get $cd)))
                  (local.set $b (i32.const 0))
                  (block $b_done
                    (loop $bs
                      (br_if $b_done (i32.ge_s (local.get $b) (local.get $ch)))
                      ;; the row's first tap r = ((fd + a·sd)·H + fh + b·sh)·W + fw; taps i = r + c·sw, c < cw
                      (local.set $r (i32.add (i32.mul (i32.add (i32.mul (i32.add (local.get $fd) (i32.mul (local.get $a) (local.get $sd))) (local.get $H))
                        (i32.add (local.get $fh) (i32.mul (local.get $b) (local.get $sh)))) (local.get $W)) (local.get $fw)))
                      (local.set $i (local.get $r))
                      (local.set $rend (i32.add (local.get $r) (i32.mul (local.get $cw) (local.get $sw))))
                      (block $c_done
                        (loop $cs
                          (br_if $c_done (i32.ge_s (local.get $i) (local.get $rend)))
                          (local.set $best (f64.add (local.get $best) (f64.load (i32.add (local.get $xb) (i32.shl (local.get $i) (i32.const 3))))))
                          (local.set $i (i32.add (local.get $i) (local.get $sw)))
                          (br $cs)))
                      (local.set $b (i32.add (local.get $b) (i32.const 1)))
                      (br $bs)))
                  (local.set $a (i32.add (local.get $a) (i32.const 1)))
                  (br $as)))
              (f64.store (i32.add (i32.load offset=68 (local.get $d)) (i32.shl (local.get $yo) (i32.const 3)))
                (f64.div (local.get $best) (if (result f64) (local.get $override)
                  (then (f64.convert_i32_s (local.get $override)))
                  (else (f64.convert_i32_s (if (result i32) (local.get $includePad)
                    (then (i32.mul (i32.mul
                      (i32.load (i32.add (i32.load offset=80 (local.get $d)) (i32.shl (local.get $od) (i32.const 2))))
                      (i32.load (i32.add (i32.load offset=84 (local.get $d)) (i32.shl (local.get $oh) (i32.const 2)))))
                      (i32.load (i32.add (i32.load offset=88 (local.get $d)) (i32.shl (local.get $ow) (i32.const 2))))))
                    (else (i32.mul (i32.mul (local.get $cd) (local.get $ch)) (local.get $cw)))))))))
              (local.set $yo (i32.add (local.get $yo) (i32.const 1)))
              (br_if $ows (i32.lt_s (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $OW))))
            (br_if $ohs (i32.lt_s (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $OH))))
          (br_if $ods (i32.lt_s (local.tee $od (i32.add (local.get $od) (i32.const 1))) (local.get $OD))))
        (br_if $planes (i32.lt_u (local.tee $plane (i32.add (local.get $plane) (i32.const 1))) (i32.load offset=0 (local.get $d)))))))

  (func (export "pool_f64") (param $d i32)
    (if (i32.eq (i32.load offset=76 (local.get $d)) (i32.const 0)) (then (call $pool_max_f64 (local.get $d)))
      (else (if (i32.eq (i32.load offset=76 (local.get $d)) (i32.const 1)) (then (call $pool_min_f64 (local.get $d)))
        (else (call $pool_avg_f64 (local.get $d)))))))

  ;; The adjoint of average pooling: dx (zeroed) += dy / divisor on every tap of each window;
  ;; desc as pool_f64, with 64 dx and 68 dy.
  (func (export "pool_avg_back_f64") (param $d i32)
    (local $plane i32) (local $xb i32) (local $yo i32) (local $od i32) (local $oh i32) (local $ow i32)
    (local $fd i32) (local $cd i32) (local $fh i32) (local $ch i32) (local $fw i32) (local $cw i32)
    (local $a i32) (local $b i32) (local $c i32) (local $r i32) (local $i i32) (local $e i32) (local $rend i32)
    (local $H i32) (local $W i32) (local $pin i32) (local $OD i32) (local $OH i32) (local $OW i32) (local $sd i32) (local $sh i32) (local $sw i32)
    (local $tdf i32) (local $tdc i32) (local $thf i32) (local $thc i32) (local $twf i32) (local $twc i32) (local $override i32) (local $includePad i32)
    (local $g f64)
    (local.set $H (i32.load offset=8 (local.get $d)))
    (local.set $W (i32.load offset=12 (local.get $d)))
    (local.set $pin (i32.mul (i32.load offset=4 (local.get $d)) (i32.mul (local.get $H) (local.get $W))))
    (local.set $OD (i32.load offset=16 (local.get $d)))
    (local.set $OH (i32.load offset=20 (local.get $d)))
    (local.set $OW (i32.load offset=24 (local.get $d)))
    (local.set $sd (i32.load offset=28 (local.get $d)))
    (local.set $sh (i32.load offset=32 (local.get $d)))
    (local.set $sw (i32.load offset=36 (local.get $d)))
    (local.set $tdf (i32.load offset=40 (local.get $d)))
    (local.set $tdc (i32.load offset=44 (local.get $d)))
    (local.set $thf (i32.load offset=48 (local.get $d)))
    (local.set $thc (i32.load offset=52 (local.get $d)))
    (local.set $twf (i32.load offset=56 (local.get $d)))
    (local.set $twc (i32.load offset=60 (local.get $d)))
    (local.set $override (i32.load offset=92 (local.get $d)))
    (local.set $includePad (i32.load offset=96 (local.get $d)))
    (block $planes_done
      (br_if $planes_done (i32.or (i32.eqz (i32.load offset=0 (local.get $d))) (i32.or (i32.eqz (local.get $OD)) (i32.or (i32.eqz (local.get $OH)) (i32.eqz (local.get $OW))))))
      (loop $planes
        (local.set $xb (i32.add (i32.load offset=64 (local.get $d)) (i32.shl (i32.mul (local.get $plane) (local.get $pin)) (i32.const 3))))
        (local.set $od (i32.const 0))
        (loop $ods
          (local.set $fd (i32.load (i32.add (local.get $tdf) (i32.shl (local.get $od) (i32.const 2)))))
          (local.set $cd (i32.load (i32.add (local.get $tdc) (i32.shl (local.get $od) (i32.const 2)))))
          (local.set $oh (i32.const 0))
          (loop $ohs
            (local.set $fh (i32.load (i32.add (local.get $thf) (i32.shl (local.get $oh) (i32.const 2)))))
            (local.set $ch (i32.load (i32.add (local.get $thc) (i32.shl (local.get $oh) (i32.const 2)))))
            (local.set $ow (i32.const 0))
            (loop $ows
              (local.set $fw (i32.load (i32.add (local.get $twf) (i32.shl (local.get $ow) (i32.const 2)))))
              (local.set $cw (i32.load (i32.add (local.get $twc) (i32.shl (local.get $ow) (i32.const 2)))))
              (local.set $g (f64.div (f64.load (i32.add (i32.load offset=68 (local.get $d)) (i32.shl (local.get $yo) (i32.const 3)))) (if (result f64) (local.get $override)
                  (then (f64.convert_i32_s (local.get $override)))
                  (else (f64.convert_i32_s (if (result i32) (local.get $includePad)
                    (then (i32.mul (i32.mul
                      (i32.load (i32.add (i32.load offset=80 (local.get $d)) (i32.shl (local.get $od) (i32.const 2))))
                      (i32.load (i32.add (i32.load offset=84 (local.get $d)) (i32.shl (local.get $oh) (i32.const 2)))))
                      (i32.load (i32.add (i32.load offset=88 (local.get $d)) (i32.shl (local.get $ow) (i32.const 2))))))
                    (else (i32.mul (i32.mul (local.get $cd) (local.get $ch)) (local.get $cw)))))))))
              (local.set $a (i32.const 0))
              (block $a_done
                (loop $as
                  (br_if $a_done (i32.ge_s (local.get $a) (local.get $cd)))
                  (local.set $b (i32.const 0))
                  (block $b_done
                    (loop $bs
                      (br_if $b_done (i32.ge_s (local.get $b) (local.get $ch)))
                      ;; the row's first tap r = ((fd + a·sd)·H + fh + b·sh)·W + fw; taps i = r + c·sw, c < cw
                      (local.set $r (i32.add (i32.mul (i32.add (i32.mul (i32.add (local.get $fd) (i32.mul (local.get $a) (local.get $sd))) (local.get $H))
                        (i32.add (local.get $fh) (i32.mul (local.get $b) (local.get $sh)))) (local.get $W)) (local.get $fw)))
                      (local.set $i (local.get $r))
                      (local.set $rend (i32.add (local.get $r) (i32.mul (local.get $cw) (local.get $sw))))
                      (block $c_done
                        (loop $cs
                          (br_if $c_done (i32.ge_s (local.get $i) (local.get $rend)))
                          (local.set $e (i32.add (local.get $xb) (i32.shl (local.get $i) (i32.const 3))))
                          (f64.store (local.get $e) (f64.add (f64.load (local.get $e)) (local.get $g)))
                          (local.set $i (i32.add (local.get $i) (local.get $sw)))
                          (br $cs)))
                      (local.set $b (i32.add (local.get $b) (i32.const 1)))
                      (br $bs)))
                  (local.set $a (i32.add (local.get $a) (i32.const 1)))
                  (br $as)))

              (local.set $yo (i32.add (local.get $yo) (i32.const 1)))
              (br_if $ows (i32.lt_s (local.tee $ow (i32.add (local.get $ow) (i32.const 1))) (local.get $OW))))
            (br_if $ohs (i32.lt_s (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $OH))))
          (br_if $ods (i32.lt_s (local.tee $od (i32.add (local.get $od) (i32.const 1))) (local.get $OD))))
        (br_if $planes (i32.lt_u (local.tee $plane (i32.add (local.get $plane) (i32.const 1))) (i32.load offset=0 (local.get $d)))))))

  ;; Dot products of row-major rows, float64: c[q] = Σ_p a[p]·b_q[p] for the four rows b_q = b + q·kb
  ;; (kb bytes apart) and q < 4, sums over p as two interleaved halves (even / odd p) added at the end.
  (func $dot4_f64 (param $k i32) (param $a i32) (param $b0 i32) (param $kb i32) (param $pc i32)
    (local $b1 i32) (local $b2 i32) (local $b3 i32) (local $p i32) (local $end i32) (local $odd i32) (local $t f64)
    (local $x v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $b1 (i32.add (local.get $b0) (local.get $kb)))
    (local.set $b2 (i32.add (local.get $b1) (local.get $kb)))
    (local.set $b3 (i32.add (local.get $b2) (local.get $kb)))
    (local.set $end (i32.shl (i32.and (local.get $k) (i32.const -2)) (i32.const 3)))
    (block $done
      (br_if $done (i32.eqz (local.get $end)))
      (loop $l
        (local.set $x (v128.load (i32.add (local.get $a) (local.get $p))))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x) (v128.load (i32.add (local.get $b0) (local.get $p))))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x) (v128.load (i32.add (local.get $b1) (local.get $p))))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x) (v128.load (i32.add (local.get $b2) (local.get $p))))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x) (v128.load (i32.add (local.get $b3) (local.get $p))))))
        (br_if $l (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end)))))
    (local.set $odd (i32.and (local.get $k) (i32.const 1)))
    (if (local.get $odd) (then (local.set $t (f64.load (i32.add (local.get $a) (local.get $p))))))
    (f64.store offset=0 (local.get $pc) (f64.add (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0)))
      (if (result f64) (local.get $odd) (then (f64.mul (local.get $t) (f64.load (i32.add (local.get $b0) (local.get $p))))) (else (f64.const 0)))))
    (f64.store offset=8 (local.get $pc) (f64.add (f64.add (f64x2.extract_lane 0 (local.get $s1)) (f64x2.extract_lane 1 (local.get $s1)))
      (if (result f64) (local.get $odd) (then (f64.mul (local.get $t) (f64.load (i32.add (local.get $b1) (local.get $p))))) (else (f64.const 0)))))
    (f64.store offset=16 (local.get $pc) (f64.add (f64.add (f64x2.extract_lane 0 (local.get $s2)) (f64x2.extract_lane 1 (local.get $s2)))
      (if (result f64) (local.get $odd) (then (f64.mul (local.get $t) (f64.load (i32.add (local.get $b2) (local.get $p))))) (else (f64.const 0)))))
    (f64.store offset=24 (local.get $pc) (f64.add (f64.add (f64x2.extract_lane 0 (local.get $s3)) (f64x2.extract_lane 1 (local.get $s3)))
      (if (result f64) (local.get $odd) (then (f64.mul (local.get $t) (f64.load (i32.add (local.get $b3) (local.get $p))))) (else (f64.const 0)))))
  )

  (func $dot1_f64 (param $k i32) (param $a i32) (param $b0 i32) (param $pc i32)
    (local $p i32) (local $end i32) (local $odd i32) (local $t f64) (local $x v128) (local $s0 v128)
    (local.set $end (i32.shl (i32.and (local.get $k) (i32.const -2)) (i32.const 3)))
    (block $done
      (br_if $done (i32.eqz (local.get $end)))
      (loop $l
        (local.set $x (v128.load (i32.add (local.get $a) (local.get $p))))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x) (v128.load (i32.add (local.get $b0) (local.get $p))))))
        (br_if $l (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end)))))
    (local.set $odd (i32.and (local.get $k) (i32.const 1)))
    (if (local.get $odd) (then (local.set $t (f64.load (i32.add (local.get $a) (local.get $p))))))
    (f64.store offset=0 (local.get $pc) (f64.add (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0)))
      (if (result f64) (local.get $odd) (then (f64.mul (local.get $t) (f64.load (i32.add (local.get $b0) (local.get $p))))) (else (f64.const 0)))))
  )

  ;; C = A·Bᵀ, float64, all row-major and dense: A m×k at a, B n×k at b, C m×n at c (overwritten).
  ;; For products with few rows (a batch-1 linear layer), where packing would cost as much as the multiply.
  (func (export "gemm_nt_f64") (param $m i32) (param $n i32) (param $k i32) (param $a i32) (param $b i32) (param $c i32)
    (local $kb i32) (local $i i32) (local $j i32) (local $ai i32) (local $ci i32)
    (local.set $kb (i32.shl (local.get $k) (i32.const 3)))
    (block $end
      (br_if $end (i32.or (i32.eqz (local.get $m)) (i32.eqz (local.get $n))))
      (loop $rows
        (local.set $ai (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $kb))))
        (local.set $ci (i32.add (local.get $c) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 3))))
        (local.set $j (i32.const 0))
        (block $cols4done
          (loop $cols4
            (br_if $cols4done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
            (call $dot4_f64 (local.get $k) (local.get $ai) (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $kb))) (local.get $kb)
              (i32.add (local.get $ci) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $cols4)))
        (block $colsdone
          (loop $cols
            (br_if $colsdone (i32.ge_u (local.get $j) (local.get $n)))
            (call $dot1_f64 (local.get $k) (local.get $ai) (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $kb)))
              (i32.add (local.get $ci) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $cols)))
        (br_if $rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $m))))))
)
