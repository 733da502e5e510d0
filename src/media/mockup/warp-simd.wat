;; The per-pixel loop of warpInto (warp-perspective.ts) in WebAssembly SIMD128, bit-identical to the TypeScript path.
;;
;; Rebuild the committed binary after editing, from the repository root (wabt 1.0.32, Debian package "wabt";
;; SIMD is on by default there, older wabt needs --enable-simd):
;;   wat2wasm src/media/mockup/warp-simd.wat -o src/media/mockup/warp-simd.wasm
;;
;; Two neighbouring pixels per step, one in each f64x2 lane. Every lane runs exactly the f64 operations of
;; warpRow in the same order (wasm, like JavaScript, never fuses multiply-adds), so the bytes match the
;; TypeScript path; f64x2.pmin/pmax reproduce its `a > b ? …` clamps including NaN. Lanes that warpRow would
;; `continue` past are still computed (their texel indices are clamped, so every load stays in bounds) but
;; never stored. A scalar f64 version of this loop was slower than the JavaScript JIT under Bun; halving the
;; arithmetic and loading each texel as one 32-bit word is what makes wasm win.
;; Stores truncate with i32x4.trunc_sat_f64x2_s_zero and keep the low byte, which equals a Uint8Array store
;; for every value that can occur here (0 <= v < 256).
;;
;; All pointers are byte offsets in the exported memory; warp-wasm.ts lays the buffers out:
;;   params  21 f64: the inverse homography (9) then four edges × (a, b, c) (12)
;;   spans   four i32 per box row: columns [lo, hi), lo >= hi when the row gets nothing, and inside them
;;           [ilo, ihi) where coverage is exactly 1 (the edge ramps are skipped there)
;;   art     the RGBA artwork, aw × ah × 4
;;   bg      the background's bounding box: rows × bgStride bytes, column `left` at byte 0 of each row
;;   mask    the mask's bounding box, rows × maskStride bytes (0 = no mask)
;; with 16 spare bytes after bg and mask, because the second lane of a row's last step reads past its end.
(module
  (memory (export "memory") 1)

  (func (export "warp")
    (param $params i32) (param $spans i32) (param $rows i32) (param $top i32)
    (param $art i32) (param $aw i32) (param $ah i32)
    (param $bg i32) (param $bgStride i32) (param $left i32) (param $ch i32)
    (param $mask i32) (param $maskStride i32) (param $shading f64)
    (local $r i32) (local $y i32) (local $x i32) (local $hi i32) (local $ilo i32) (local $ihi i32) (local $bits i32)
    (local $bgRow i32) (local $maskRow i32) (local $o i32) (local $word i32)
    (local $cy f64)
    ;; Constants, splatted.
    (local $A0 v128) (local $A1 v128) (local $A2 v128) (local $A3 v128)
    (local $H0 v128) (local $H3 v128) (local $H6 v128)
    (local $maxX v128) (local $maxY v128) (local $maxXi v128) (local $maxYi v128)
    (local $artV v128) (local $awV v128) (local $rowBytes v128) (local $flat v128) (local $lumaK v128)
    ;; Row constants, splatted.
    (local $R0 v128) (local $R1 v128) (local $R2 v128) (local $R3 v128)
    (local $RU v128) (local $RV v128) (local $RW v128) (local $cx v128)
    ;; Per step.
    (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128) (local $skip v128) (local $k v128)
    (local $m v128) (local $iw v128) (local $sx v128) (local $sy v128) (local $x0 v128) (local $y0 v128)
    (local $fx v128) (local $fy v128) (local $gx v128) (local $gy v128)
    (local $i00 v128) (local $i01 v128) (local $i10 v128) (local $i11 v128) (local $xin v128)
    (local $t00 v128) (local $t01 v128) (local $t10 v128) (local $t11 v128)
    (local $w00 v128) (local $w01 v128) (local $w10 v128) (local $w11 v128) (local $alpha255 v128)
    (local $pr v128) (local $pg v128) (local $pb v128) (local $pix v128)
    (local $br v128) (local $bgc v128) (local $bb v128) (local $ba v128) (local $opaque v128)
    (local $kk v128) (local $alpha v128) (local $keep v128)
    (local $outA v128) (local $under v128) (local $norm v128)
    (local $oR v128) (local $oG v128) (local $oB v128) (local $oA v128) (local $packed v128)

    (local.set $maxX (f64x2.splat (f64.convert_i32_s (i32.sub (local.get $aw) (i32.const 1)))))
    (local.set $maxY (f64x2.splat (f64.convert_i32_s (i32.sub (local.get $ah) (i32.const 1)))))
    (local.set $maxXi (i32x4.splat (i32.sub (local.get $aw) (i32.const 1))))
    (local.set $maxYi (i32x4.splat (i32.sub (local.get $ah) (i32.const 1))))
    (local.set $artV (i32x4.splat (local.get $art)))
    (local.set $awV (i32x4.splat (local.get $aw)))
    (local.set $rowBytes (i32x4.splat (i32.shl (local.get $aw) (i32.const 2))))
    (local.set $flat (f64x2.splat (f64.sub (f64.const 1) (local.get $shading))))
    (local.set $lumaK (f64x2.splat (f64.div (local.get $shading) (f64.const 255))))
    (local.set $H0 (v128.load64_splat offset=0 (local.get $params)))
    (local.set $H3 (v128.load64_splat offset=24 (local.get $params)))
    (local.set $H6 (v128.load64_splat offset=48 (local.get $params)))
    (local.set $A0 (v128.load64_splat offset=72 (local.get $params)))
    (local.set $A1 (v128.load64_splat offset=96 (local.get $params)))
    (local.set $A2 (v128.load64_splat offset=120 (local.get $params)))
    (local.set $A3 (v128.load64_splat offset=144 (local.get $params)))

    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $x (i32.load (i32.add (local.get $spans) (i32.shl (local.get $r) (i32.const 4)))))
        (local.set $hi (i32.load offset=4 (i32.add (local.get $spans) (i32.shl (local.get $r) (i32.const 4)))))
        (local.set $ilo (i32.load offset=8 (i32.add (local.get $spans) (i32.shl (local.get $r) (i32.const 4)))))
        (local.set $ihi (i32.load offset=12 (i32.add (local.get $spans) (i32.shl (local.get $r) (i32.const 4)))))
        (local.set $y (i32.add (local.get $top) (local.get $r)))
        (local.set $cy (f64.add (f64.convert_i32_s (local.get $y)) (f64.const 0.5)))
        ;; Row constants, in warpRow's order: ru = inv1·cy + inv2, r0 = (E1·cy + E2) + 0.5, …
        (local.set $RU (f64x2.splat (f64.add (f64.mul (f64.load offset=8 (local.get $params)) (local.get $cy))
          (f64.load offset=16 (local.get $params)))))
        (local.set $RV (f64x2.splat (f64.add (f64.mul (f64.load offset=32 (local.get $params)) (local.get $cy))
          (f64.load offset=40 (local.get $params)))))
        (local.set $RW (f64x2.splat (f64.add (f64.mul (f64.load offset=56 (local.get $params)) (local.get $cy))
          (f64.load offset=64 (local.get $params)))))
        (local.set $R0 (f64x2.splat (f64.add (f64.add (f64.mul (f64.load offset=80 (local.get $params)) (local.get $cy))
          (f64.load offset=88 (local.get $params))) (f64.const 0.5))))
        (local.set $R1 (f64x2.splat (f64.add (f64.add (f64.mul (f64.load offset=104 (local.get $params)) (local.get $cy))
          (f64.load offset=112 (local.get $params))) (f64.const 0.5))))
        (local.set $R2 (f64x2.splat (f64.add (f64.add (f64.mul (f64.load offset=128 (local.get $params)) (local.get $cy))
          (f64.load offset=136 (local.get $params))) (f64.const 0.5))))
        (local.set $R3 (f64x2.splat (f64.add (f64.add (f64.mul (f64.load offset=152 (local.get $params)) (local.get $cy))
          (f64.load offset=160 (local.get $params))) (f64.const 0.5))))
        ;; Row bases are shifted left by `left` so that absolute column x indexes them directly.
        (local.set $bgRow (i32.sub
          (i32.add (local.get $bg) (i32.mul (local.get $r) (local.get $bgStride)))
          (i32.mul (local.get $left) (local.get $ch))))
        (local.set $maskRow (i32.sub
          (i32.add (local.get $mask) (i32.mul (local.get $r) (local.get $maskStride)))
          (local.get $left)))
        ;; Pixel centres (x + 0.5, x + 1.5); small integers plus halves are exact, so stepping by 2 is too.
        (local.set $cx (f64x2.add
          (f64x2.convert_low_i32x4_s (i32x4.add (i32x4.splat (local.get $x)) (v128.const i32x4 0 1 0 0)))
          (v128.const f64x2 0.5 0.5)))

        (block $colsDone
          (loop $colLoop
            (br_if $colsDone (i32.ge_s (local.get $x) (local.get $hi)))
            (block $next
              ;; Both pixels inside [ilo, ihi): every edge is a pixel away, coverage is exactly 1.
              (if (i32.and (i32.ge_s (local.get $x) (local.get $ilo)) (i32.lt_s (i32.add (local.get $x) (i32.const 1)) (local.get $ihi)))
                (then
                  (local.set $k (v128.const f64x2 1 1))
                  (local.set $skip (v128.const i64x2 0 0)))
                (else
                  ;; Coverage: product of the four edge ramps, each clamped to 1; an edge at or below 0 skips.
                  (local.set $e0 (f64x2.add (f64x2.mul (local.get $A0) (local.get $cx)) (local.get $R0)))
                  (local.set $e1 (f64x2.add (f64x2.mul (local.get $A1) (local.get $cx)) (local.get $R1)))
                  (local.set $e2 (f64x2.add (f64x2.mul (local.get $A2) (local.get $cx)) (local.get $R2)))
                  (local.set $e3 (f64x2.add (f64x2.mul (local.get $A3) (local.get $cx)) (local.get $R3)))
                  (local.set $skip (v128.or
                    (v128.or (f64x2.le (local.get $e0) (v128.const f64x2 0 0)) (f64x2.le (local.get $e1) (v128.const f64x2 0 0)))
                    (v128.or (f64x2.le (local.get $e2) (v128.const f64x2 0 0)) (f64x2.le (local.get $e3) (v128.const f64x2 0 0)))))
                  ;; The second lane is past the span on a row's odd last step.
                  (if (i32.ge_s (i32.add (local.get $x) (i32.const 1)) (local.get $hi))
                    (then (local.set $skip (v128.or (local.get $skip) (v128.const i64x2 0 -1)))))
                  (br_if $next (i64x2.all_true (local.get $skip)))
                  ;; pmin(e, 1) is `1 < e ? 1 : e`, warpRow's `if (e > 1) e = 1`.
                  (local.set $k (f64x2.mul (f64x2.mul (f64x2.mul
                    (f64x2.pmin (local.get $e0) (v128.const f64x2 1 1)) (f64x2.pmin (local.get $e1) (v128.const f64x2 1 1)))
                    (f64x2.pmin (local.get $e2) (v128.const f64x2 1 1))) (f64x2.pmin (local.get $e3) (v128.const f64x2 1 1))))))
              (if (local.get $mask)
                (then
                  (local.set $m (f64x2.convert_low_i32x4_s (i8x16.swizzle
                    (v128.load16_splat (i32.add (local.get $maskRow) (local.get $x)))
                    (v128.const i8x16 0 128 128 128 1 128 128 128 128 128 128 128 128 128 128 128))))
                  (local.set $skip (v128.or (local.get $skip) (f64x2.eq (local.get $m) (v128.const f64x2 0 0))))
                  (br_if $next (i64x2.all_true (local.get $skip)))
                  (local.set $k (f64x2.mul (local.get $k) (f64x2.mul (local.get $m) (v128.const f64x2 0.00392156862745098 0.00392156862745098))))))

              ;; Inverse map the pixel centres; pmax(0, pmin(max, s)) is `s > 0 ? (s < max ? s : max) : 0`, NaN -> 0.
              (local.set $iw (f64x2.div (v128.const f64x2 1 1)
                (f64x2.add (f64x2.mul (local.get $H6) (local.get $cx)) (local.get $RW))))
              (local.set $sx (f64x2.sub (f64x2.mul
                (f64x2.add (f64x2.mul (local.get $H0) (local.get $cx)) (local.get $RU)) (local.get $iw))
                (v128.const f64x2 0.5 0.5)))
              (local.set $sy (f64x2.sub (f64x2.mul
                (f64x2.add (f64x2.mul (local.get $H3) (local.get $cx)) (local.get $RV)) (local.get $iw))
                (v128.const f64x2 0.5 0.5)))
              (local.set $sx (f64x2.pmax (v128.const f64x2 0 0) (f64x2.pmin (local.get $maxX) (local.get $sx))))
              (local.set $sy (f64x2.pmax (v128.const f64x2 0 0) (f64x2.pmin (local.get $maxY) (local.get $sy))))
              (local.set $x0 (i32x4.trunc_sat_f64x2_s_zero (local.get $sx)))
              (local.set $y0 (i32x4.trunc_sat_f64x2_s_zero (local.get $sy)))
              (local.set $fx (f64x2.sub (local.get $sx) (f64x2.convert_low_i32x4_s (local.get $x0))))
              (local.set $fy (f64x2.sub (local.get $sy) (f64x2.convert_low_i32x4_s (local.get $y0))))
              (local.set $i00 (i32x4.add (local.get $artV) (i32x4.shl
                (i32x4.add (i32x4.mul (local.get $y0) (local.get $awV)) (local.get $x0)) (i32.const 2))))
              (local.set $xin (i32x4.lt_s (local.get $x0) (local.get $maxXi)))
              (local.set $i01 (v128.bitselect (i32x4.add (local.get $i00) (v128.const i32x4 4 4 4 4))
                (local.get $i00) (local.get $xin)))
              (local.set $i10 (v128.bitselect (i32x4.add (local.get $i00) (local.get $rowBytes))
                (local.get $i00) (i32x4.lt_s (local.get $y0) (local.get $maxYi))))
              (local.set $i11 (v128.bitselect (i32x4.add (local.get $i10) (v128.const i32x4 4 4 4 4))
                (local.get $i10) (local.get $xin)))
              ;; Each texel as one RGBA word; lane 0 for the first pixel, lane 1 for the second.
              (local.set $t00 (i32x4.replace_lane 1 (i32x4.splat (i32.load (i32x4.extract_lane 0 (local.get $i00))))
                (i32.load (i32x4.extract_lane 1 (local.get $i00)))))
              (local.set $t01 (i32x4.replace_lane 1 (i32x4.splat (i32.load (i32x4.extract_lane 0 (local.get $i01))))
                (i32.load (i32x4.extract_lane 1 (local.get $i01)))))
              (local.set $t10 (i32x4.replace_lane 1 (i32x4.splat (i32.load (i32x4.extract_lane 0 (local.get $i10))))
                (i32.load (i32x4.extract_lane 1 (local.get $i10)))))
              (local.set $t11 (i32x4.replace_lane 1 (i32x4.splat (i32.load (i32x4.extract_lane 0 (local.get $i11))))
                (i32.load (i32x4.extract_lane 1 (local.get $i11)))))

              ;; Alpha-weighted bilinear taps.
              (local.set $gx (f64x2.sub (v128.const f64x2 1 1) (local.get $fx)))
              (local.set $gy (f64x2.sub (v128.const f64x2 1 1) (local.get $fy)))
              (local.set $w00 (f64x2.mul (f64x2.mul (local.get $gx) (local.get $gy)) (call $chan3 (local.get $t00))))
              (local.set $w01 (f64x2.mul (f64x2.mul (local.get $fx) (local.get $gy)) (call $chan3 (local.get $t01))))
              (local.set $w10 (f64x2.mul (f64x2.mul (local.get $gx) (local.get $fy)) (call $chan3 (local.get $t10))))
              (local.set $w11 (f64x2.mul (f64x2.mul (local.get $fx) (local.get $fy)) (call $chan3 (local.get $t11))))
              (local.set $alpha255 (f64x2.add (f64x2.add (f64x2.add (local.get $w00) (local.get $w01))
                (local.get $w10)) (local.get $w11)))
              (local.set $skip (v128.or (local.get $skip) (f64x2.le (local.get $alpha255) (v128.const f64x2 0 0))))
              (br_if $next (i64x2.all_true (local.get $skip)))
              (local.set $pr (f64x2.add (f64x2.add (f64x2.add
                (f64x2.mul (local.get $w00) (call $chan0 (local.get $t00)))
                (f64x2.mul (local.get $w01) (call $chan0 (local.get $t01))))
                (f64x2.mul (local.get $w10) (call $chan0 (local.get $t10))))
                (f64x2.mul (local.get $w11) (call $chan0 (local.get $t11)))))
              (local.set $pg (f64x2.add (f64x2.add (f64x2.add
                (f64x2.mul (local.get $w00) (call $chan1 (local.get $t00)))
                (f64x2.mul (local.get $w01) (call $chan1 (local.get $t01))))
                (f64x2.mul (local.get $w10) (call $chan1 (local.get $t10))))
                (f64x2.mul (local.get $w11) (call $chan1 (local.get $t11)))))
              (local.set $pb (f64x2.add (f64x2.add (f64x2.add
                (f64x2.mul (local.get $w00) (call $chan2 (local.get $t00)))
                (f64x2.mul (local.get $w01) (call $chan2 (local.get $t01))))
                (f64x2.mul (local.get $w10) (call $chan2 (local.get $t10))))
                (f64x2.mul (local.get $w11) (call $chan2 (local.get $t11)))))

              ;; Background words; with 3 channels byte 3 is the next pixel's red and is ignored.
              (local.set $o (i32.add (local.get $bgRow) (i32.mul (local.get $x) (local.get $ch))))
              (local.set $pix (i32x4.replace_lane 1 (i32x4.splat (i32.load (local.get $o)))
                (i32.load (i32.add (local.get $o) (local.get $ch)))))
              (local.set $br (call $chan0 (local.get $pix)))
              (local.set $bgc (call $chan1 (local.get $pix)))
              (local.set $bb (call $chan2 (local.get $pix)))
              (local.set $ba (if (result v128) (i32.eq (local.get $ch) (i32.const 4))
                (then (call $chan3 (local.get $pix))) (else (v128.const f64x2 255 255))))
              (local.set $kk (f64x2.mul (local.get $k) (v128.const f64x2 0.00392156862745098 0.00392156862745098)))
              (local.set $pr (f64x2.mul (local.get $pr) (local.get $kk)))
              (local.set $pg (f64x2.mul (local.get $pg) (local.get $kk)))
              (local.set $pb (f64x2.mul (local.get $pb) (local.get $kk)))
              ;; Multiply, Photoshop's way: each channel by the backdrop's, lifted towards white by (1 - shading).
              (if (f64.gt (local.get $shading) (f64.const 0))
                (then
                  (local.set $pr (f64x2.mul (local.get $pr) (f64x2.add (local.get $flat) (f64x2.mul (local.get $lumaK) (local.get $br)))))
                  (local.set $pg (f64x2.mul (local.get $pg) (f64x2.add (local.get $flat) (f64x2.mul (local.get $lumaK) (local.get $bgc)))))
                  (local.set $pb (f64x2.mul (local.get $pb) (f64x2.add (local.get $flat) (f64x2.mul (local.get $lumaK) (local.get $bb)))))))
              (local.set $alpha (f64x2.mul (f64x2.mul (local.get $k) (local.get $alpha255)) (v128.const f64x2 0.00392156862745098 0.00392156862745098)))
              (local.set $keep (f64x2.sub (v128.const f64x2 1 1) (local.get $alpha)))
              (local.set $oR (f64x2.add (f64x2.add (local.get $pr) (f64x2.mul (local.get $br) (local.get $keep)))
                (v128.const f64x2 0.5 0.5)))
              (local.set $oG (f64x2.add (f64x2.add (local.get $pg) (f64x2.mul (local.get $bgc) (local.get $keep)))
                (v128.const f64x2 0.5 0.5)))
              (local.set $oB (f64x2.add (f64x2.add (local.get $pb) (f64x2.mul (local.get $bb) (local.get $keep)))
                (v128.const f64x2 0.5 0.5)))
              (local.set $oA (local.get $ba))
              (local.set $opaque (f64x2.eq (local.get $ba) (v128.const f64x2 255 255)))
              (if (i32.eqz (i64x2.all_true (local.get $opaque)))
                (then
                  ;; Straight-alpha "over" onto a translucent background, for the lanes that have one.
                  (local.set $outA (f64x2.add (f64x2.mul (local.get $alpha) (v128.const f64x2 255 255))
                    (f64x2.mul (local.get $ba) (local.get $keep))))
                  (local.set $under (f64x2.div (f64x2.mul (local.get $ba) (local.get $keep)) (v128.const f64x2 255 255)))
                  (local.set $norm (f64x2.div (v128.const f64x2 255 255) (local.get $outA)))
                  (local.set $oR (v128.bitselect (local.get $oR) (f64x2.add (f64x2.mul (f64x2.add (local.get $pr)
                    (f64x2.mul (local.get $br) (local.get $under))) (local.get $norm)) (v128.const f64x2 0.5 0.5))
                    (local.get $opaque)))
                  (local.set $oG (v128.bitselect (local.get $oG) (f64x2.add (f64x2.mul (f64x2.add (local.get $pg)
                    (f64x2.mul (local.get $bgc) (local.get $under))) (local.get $norm)) (v128.const f64x2 0.5 0.5))
                    (local.get $opaque)))
                  (local.set $oB (v128.bitselect (local.get $oB) (f64x2.add (f64x2.mul (f64x2.add (local.get $pb)
                    (f64x2.mul (local.get $bb) (local.get $under))) (local.get $norm)) (v128.const f64x2 0.5 0.5))
                    (local.get $opaque)))
                  (local.set $oA (v128.bitselect (local.get $oA)
                    (f64x2.add (local.get $outA) (v128.const f64x2 0.5 0.5)) (local.get $opaque)))))
              ;; Pack to bytes R G B A of the first pixel in lane 0 and of the second in lane 1.
              (local.set $packed (i8x16.shuffle 0 1 16 17 2 3 18 19 0 0 0 0 0 0 0 0
                (i8x16.shuffle 0 16 4 20 0 0 0 0 0 0 0 0 0 0 0 0
                  (i32x4.trunc_sat_f64x2_s_zero (local.get $oR)) (i32x4.trunc_sat_f64x2_s_zero (local.get $oG)))
                (i8x16.shuffle 0 16 4 20 0 0 0 0 0 0 0 0 0 0 0 0
                  (i32x4.trunc_sat_f64x2_s_zero (local.get $oB)) (i32x4.trunc_sat_f64x2_s_zero (local.get $oA)))))
              (local.set $bits (i64x2.bitmask (local.get $skip)))
              (if (i32.eqz (i32.and (local.get $bits) (i32.const 1)))
                (then (call $put (local.get $o) (local.get $ch) (i32x4.extract_lane 0 (local.get $packed)))))
              (if (i32.eqz (i32.and (local.get $bits) (i32.const 2)))
                (then (call $put (i32.add (local.get $o) (local.get $ch)) (local.get $ch)
                  (i32x4.extract_lane 1 (local.get $packed))))))
            (local.set $x (i32.add (local.get $x) (i32.const 2)))
            (local.set $cx (f64x2.add (local.get $cx) (v128.const f64x2 2 2)))
            (br $colLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; Byte c of the i32 lanes 0 and 1, as f64x2 (small helpers; the engine inlines them).
  (func $chan0 (param $v v128) (result v128)
    (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v)
      (v128.const i8x16 0 128 128 128 4 128 128 128 128 128 128 128 128 128 128 128))))
  (func $chan1 (param $v v128) (result v128)
    (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v)
      (v128.const i8x16 1 128 128 128 5 128 128 128 128 128 128 128 128 128 128 128))))
  (func $chan2 (param $v v128) (result v128)
    (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v)
      (v128.const i8x16 2 128 128 128 6 128 128 128 128 128 128 128 128 128 128 128))))
  (func $chan3 (param $v v128) (result v128)
    (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v)
      (v128.const i8x16 3 128 128 128 7 128 128 128 128 128 128 128 128 128 128 128))))

  ;; Writes one pixel's packed R G B (A) word: 4 bytes for RGBA, 3 for RGB (byte 3 belongs to the next pixel).
  (func $put (param $o i32) (param $ch i32) (param $word i32)
    (if (i32.eq (local.get $ch) (i32.const 4))
      (then (i32.store (local.get $o) (local.get $word)))
      (else
        (i32.store16 (local.get $o) (local.get $word))
        (i32.store8 offset=2 (local.get $o) (i32.shr_u (local.get $word) (i32.const 16)))))))
