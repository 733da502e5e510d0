;; The warp kernel: samples the artwork bilinearly and composites it into the background, four pixels per step
;; in SIMD128. warp-kernel.ts is the same kernel in TypeScript, operation for operation (Math.fround after each
;; f32 step), so both give the same bytes; warp-wasm.ts loads this module and lays out its memory.
;;
;; Rebuild the committed binary after editing, from the repository root (wabt 1.0.32, Debian package "wabt";
;; SIMD is on by default there, older wabt needs --enable-simd):
;;   wat2wasm src/media/mockup/warp-simd.wat -o src/media/mockup/warp-simd.wasm
;;
;; A draw is `configure`, `premultiply` on the artwork, then `quad` (a perspective quad: per pixel the inverse
;; homography and the distances to the quad's four edges) or `mesh` (triangles mapped affinely, as
;; surface-triangles.ts tessellates a mesh or a cylinder; coverage from the distances to the artwork's edges,
;; optionally displaced). Each background row takes two passes over a scratch row, which keeps each loop short
;; enough for the processor to overlap its steps:
;;   1. per span of the row (the quad's, or each triangle's): where each pixel centre samples the artwork and its
;;      coverage, in f32x4 (the homography's division included; f32 is ~1e-4 px at these sizes);
;;   2. over the whole row: the bilinear sample and the blend. The artwork is premultiplied once per draw, so the
;;      filter is plain 8-bit taps: each pixel's two horizontal neighbours come in one 64-bit load, weights are
;;      8-bit, one i32x4.dot_i16x8_s lerps four pixels of one channel (exact integers); the blend is f32x4, one
;;      channel per vector; stores write 16 bytes, and bytes of pixels not drawn are written back as read.
;; Memory (byte offsets, warp-wasm.ts): the artwork with aw × 4 + 16 spare bytes after it (the taps right of the
;; last column and below the last row have weight 0 but are read), the background's box (rows × bgStride,
;; column `left` at byte 0 of each row), optional mask and displacement boxes (one byte a pixel), each with
;; 16 spare bytes (a step reads 16 bytes from its first pixel), the row scratch, then the quad's spans or the
;; mesh's triangles and row lists.
(module
  (memory (export "memory") 1)

  ;; Per draw, from configure.
  (global $art (mut i32) (i32.const 0))
  (global $rowBytes (mut i32) (i32.const 0))
  (global $bg (mut i32) (i32.const 0))
  (global $bgStride (mut i32) (i32.const 0))
  (global $left (mut i32) (i32.const 0))
  (global $top (mut i32) (i32.const 0))
  (global $ch (mut i32) (i32.const 3))
  (global $mask (mut i32) (i32.const 0))
  (global $maskStride (mut i32) (i32.const 0))
  (global $disp (mut i32) (i32.const 0))
  (global $dispY (mut i32) (i32.const 0))
  (global $dispStride (mut i32) (i32.const 0))
  (global $blend (mut i32) (i32.const 0))
  ;; The row scratch, three arrays indexed by absolute column: sample position x and y (texel units, before
  ;; clamping) and coverage (0: not drawn; kept at 0 between rows).
  (global $sX (mut i32) (i32.const 0))
  (global $sY (mut i32) (i32.const 0))
  (global $sK (mut i32) (i32.const 0))
  ;; The same, splatted.
  (global $ARTV (mut v128) (v128.const i32x4 0 0 0 0))
  (global $AW4V (mut v128) (v128.const i32x4 0 0 0 0))
  (global $MAXX (mut v128) (v128.const i32x4 0 0 0 0))
  (global $MAXY (mut v128) (v128.const i32x4 0 0 0 0))
  (global $MAXU (mut v128) (v128.const i32x4 0 0 0 0))
  (global $MAXV (mut v128) (v128.const i32x4 0 0 0 0))
  (global $DK (mut v128) (v128.const i32x4 0 0 0 0))
  (global $DMIN (mut v128) (v128.const i32x4 0 0 0 0))
  (global $OPACITY (mut v128) (v128.const i32x4 0 0 0 0))
  (global $FLAT (mut v128) (v128.const i32x4 0 0 0 0))
  (global $LUMAK (mut v128) (v128.const i32x4 0 0 0 0))
  ;; A quad's constants: the inverse homography's x terms and the edges' x slopes.
  (global $H0 (mut v128) (v128.const i32x4 0 0 0 0))
  (global $H3 (mut v128) (v128.const i32x4 0 0 0 0))
  (global $H6 (mut v128) (v128.const i32x4 0 0 0 0))
  (global $A0 (mut v128) (v128.const i32x4 0 0 0 0))
  (global $A1 (mut v128) (v128.const i32x4 0 0 0 0))
  (global $A2 (mut v128) (v128.const i32x4 0 0 0 0))
  (global $A3 (mut v128) (v128.const i32x4 0 0 0 0))

  (func (export "configure")
    (param $art i32) (param $aw i32) (param $ah i32)
    (param $bg i32) (param $bgStride i32) (param $left i32) (param $top i32) (param $ch i32)
    (param $mask i32) (param $maskStride i32) (param $disp i32) (param $dispY i32) (param $dispStride i32) (param $strength f64)
    (param $blend i32) (param $opacity f64) (param $shading f64) (param $scratch i32) (param $scratchLen i32)
    (global.set $art (local.get $art))
    (global.set $sX (i32.sub (local.get $scratch) (i32.shl (local.get $left) (i32.const 2))))
    (global.set $sY (i32.add (global.get $sX) (i32.shl (local.get $scratchLen) (i32.const 2))))
    (global.set $sK (i32.add (global.get $sY) (i32.shl (local.get $scratchLen) (i32.const 2))))
    (global.set $rowBytes (i32.shl (local.get $aw) (i32.const 2)))
    (global.set $bg (local.get $bg))
    (global.set $bgStride (local.get $bgStride))
    (global.set $left (local.get $left))
    (global.set $top (local.get $top))
    (global.set $ch (local.get $ch))
    (global.set $mask (local.get $mask))
    (global.set $maskStride (local.get $maskStride))
    (global.set $disp (local.get $disp))
    (global.set $dispY (local.get $dispY))
    (global.set $dispStride (local.get $dispStride))
    (global.set $blend (local.get $blend))
    (global.set $ARTV (i32x4.splat (local.get $art)))
    (global.set $AW4V (i32x4.splat (i32.shl (local.get $aw) (i32.const 2))))
    (global.set $MAXX (f32x4.splat (f32.convert_i32_s (i32.sub (local.get $aw) (i32.const 1)))))
    (global.set $MAXY (f32x4.splat (f32.convert_i32_s (i32.sub (local.get $ah) (i32.const 1)))))
    (global.set $MAXU (f32x4.splat (f32.convert_i32_s (local.get $aw))))
    (global.set $MAXV (f32x4.splat (f32.convert_i32_s (local.get $ah))))
    (global.set $DK (f32x4.splat (f32.demote_f64 (f64.div (local.get $strength) (f64.const 127)))))
    (global.set $DMIN (f32x4.splat (f32.demote_f64 (f64.neg (local.get $strength)))))
    (global.set $OPACITY (f32x4.splat (f32.demote_f64 (local.get $opacity))))
    (global.set $FLAT (f32x4.splat (f32.demote_f64 (f64.sub (f64.const 1) (local.get $shading)))))
    (global.set $LUMAK (f32x4.splat (f32.demote_f64 (f64.div (local.get $shading) (f64.const 255))))))

  ;; RGB × alpha / 255, rounded, in place over n RGBA texels (a group of four at a time, so up to three texels past
  ;; n are rewritten too: they lie in the artwork's spare bytes). Opaque groups are left as they are; returns 1 when
  ;; every group was.
  (func (export "premultiply") (param $p i32) (param $n i32) (result i32)
    (local $end i32) (local $v v128) (local $lo v128) (local $hi v128) (local $opaque i32)
    (local.set $opaque (i32.const 1))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (v128.load align=1 (local.get $p)))
        (if (i32.eqz (i32x4.all_true (i32x4.eq
              (v128.and (local.get $v) (v128.const i32x4 0xff000000 0xff000000 0xff000000 0xff000000))
              (v128.const i32x4 0xff000000 0xff000000 0xff000000 0xff000000))))
          (then
            (local.set $opaque (i32.const 0))
            ;; Each channel times its texel's alpha (and alpha times 255), as u16.
            (local.set $lo (i16x8.mul (i16x8.extend_low_i8x16_u (local.get $v))
              (v128.or (i8x16.swizzle (local.get $v) (v128.const i8x16 3 128 3 128 3 128 128 128 7 128 7 128 7 128 128 128))
                (v128.const i16x8 0 0 0 255 0 0 0 255))))
            (local.set $hi (i16x8.mul (i16x8.extend_high_i8x16_u (local.get $v))
              (v128.or (i8x16.swizzle (local.get $v) (v128.const i8x16 11 128 11 128 11 128 128 128 15 128 15 128 15 128 128 128))
                (v128.const i16x8 0 0 0 255 0 0 0 255))))
            ;; x / 255 rounded is (t + (t >> 8)) >> 8 with t = x + 128, for every x up to 255 × 255.
            (local.set $lo (i16x8.add (local.get $lo) (v128.const i16x8 128 128 128 128 128 128 128 128)))
            (local.set $lo (i16x8.shr_u (i16x8.add (local.get $lo) (i16x8.shr_u (local.get $lo) (i32.const 8))) (i32.const 8)))
            (local.set $hi (i16x8.add (local.get $hi) (v128.const i16x8 128 128 128 128 128 128 128 128)))
            (local.set $hi (i16x8.shr_u (i16x8.add (local.get $hi) (i16x8.shr_u (local.get $hi) (i32.const 8))) (i32.const 8)))
            (v128.store align=1 (local.get $p) (i8x16.narrow_i16x8_u (local.get $lo) (local.get $hi)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next)))
    (local.get $opaque))

  ;; A perspective quad. params: the inverse homography (9 f64) then four edges × (a, b, c) (12 f64), a·x + b·y + c
  ;; being the signed distance inside the edge; spans: four i32 per box row, columns [lo, hi) to visit and inside
  ;; them [ilo, ihi) where coverage is exactly 1.
  (func (export "quad") (param $params i32) (param $spans i32) (param $rows i32)
    (local $r i32) (local $s i32) (local $y i32) (local $cy f64)
    (global.set $H0 (f32x4.splat (f32.demote_f64 (f64.load offset=0 (local.get $params)))))
    (global.set $H3 (f32x4.splat (f32.demote_f64 (f64.load offset=24 (local.get $params)))))
    (global.set $H6 (f32x4.splat (f32.demote_f64 (f64.load offset=48 (local.get $params)))))
    (global.set $A0 (f32x4.splat (f32.demote_f64 (f64.load offset=72 (local.get $params)))))
    (global.set $A1 (f32x4.splat (f32.demote_f64 (f64.load offset=96 (local.get $params)))))
    (global.set $A2 (f32x4.splat (f32.demote_f64 (f64.load offset=120 (local.get $params)))))
    (global.set $A3 (f32x4.splat (f32.demote_f64 (f64.load offset=144 (local.get $params)))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $s (i32.add (local.get $spans) (i32.shl (local.get $r) (i32.const 4))))
        (if (i32.lt_s (i32.load (local.get $s)) (i32.load offset=4 (local.get $s)))
          (then
            (local.set $y (i32.add (global.get $top) (local.get $r)))
            (local.set $cy (f64.add (f64.convert_i32_s (local.get $y)) (f64.const 0.5)))
            ;; Row terms in f64, then f32: ru = inv1·cy + inv2, …, r0 = (E1·cy + E2) + 0.5, …
            (call $quadSpan (local.get $y)
              (i32.load (local.get $s)) (i32.load offset=4 (local.get $s))
              (i32.load offset=8 (local.get $s)) (i32.load offset=12 (local.get $s))
              (f32.demote_f64 (f64.add (f64.mul (f64.load offset=8 (local.get $params)) (local.get $cy)) (f64.load offset=16 (local.get $params))))
              (f32.demote_f64 (f64.add (f64.mul (f64.load offset=32 (local.get $params)) (local.get $cy)) (f64.load offset=40 (local.get $params))))
              (f32.demote_f64 (f64.add (f64.mul (f64.load offset=56 (local.get $params)) (local.get $cy)) (f64.load offset=64 (local.get $params))))
              (f32.demote_f64 (f64.add (f64.add (f64.mul (f64.load offset=80 (local.get $params)) (local.get $cy))
                (f64.load offset=88 (local.get $params))) (f64.const 0.5)))
              (f32.demote_f64 (f64.add (f64.add (f64.mul (f64.load offset=104 (local.get $params)) (local.get $cy))
                (f64.load offset=112 (local.get $params))) (f64.const 0.5)))
              (f32.demote_f64 (f64.add (f64.add (f64.mul (f64.load offset=128 (local.get $params)) (local.get $cy))
                (f64.load offset=136 (local.get $params))) (f64.const 0.5)))
              (f32.demote_f64 (f64.add (f64.add (f64.mul (f64.load offset=152 (local.get $params)) (local.get $cy))
                (f64.load offset=160 (local.get $params))) (f64.const 0.5))))
            (call $shade (local.get $y) (i32.load (local.get $s)) (i32.load offset=4 (local.get $s)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; Pass 1 for a quad's row: pixels [x, hi) of row y, four at a time from x; a step wholly inside [ilo, ihi) has
  ;; coverage 1, elsewhere each edge ramps 0 → 1 across the pixel centred on it (their product softens corners).
  (func $quadSpan (param $y i32) (param $x i32) (param $hi i32) (param $ilo i32) (param $ihi i32)
    (param $ru f32) (param $rv f32) (param $rw f32) (param $r0 f32) (param $r1 f32) (param $r2 f32) (param $r3 f32)
    (local $maskRow i32) (local $p i32)
    (local $xv v128) (local $hiV v128) (local $cx v128) (local $ok v128) (local $k v128) (local $iw v128)
    (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128)
    (local $m v128) (local $valid v128) (local $sx v128) (local $sy v128)
    (local.set $maskRow (i32.sub (i32.add (global.get $mask) (i32.mul (i32.sub (local.get $y) (global.get $top)) (global.get $maskStride)))
      (global.get $left)))
    (local.set $xv (i32x4.add (i32x4.splat (local.get $x)) (v128.const i32x4 0 1 2 3)))
    (local.set $hiV (i32x4.splat (local.get $hi)))
    (block $done
      (loop $step
        (br_if $done (i32.ge_s (local.get $x) (local.get $hi)))
        ;; Pixel centres; small integers plus a half are exact in f32.
        (local.set $cx (f32x4.add (f32x4.convert_i32x4_s (local.get $xv)) (v128.const f32x4 0.5 0.5 0.5 0.5)))
        (local.set $ok (i32x4.lt_s (local.get $xv) (local.get $hiV)))
        (if (i32.and (i32.ge_s (local.get $x) (local.get $ilo)) (i32.le_s (i32.add (local.get $x) (i32.const 4)) (local.get $ihi)))
          (then (local.set $k (v128.const f32x4 1 1 1 1)))
          (else
            (local.set $e0 (f32x4.add (f32x4.mul (global.get $A0) (local.get $cx)) (f32x4.splat (local.get $r0))))
            (local.set $e1 (f32x4.add (f32x4.mul (global.get $A1) (local.get $cx)) (f32x4.splat (local.get $r1))))
            (local.set $e2 (f32x4.add (f32x4.mul (global.get $A2) (local.get $cx)) (f32x4.splat (local.get $r2))))
            (local.set $e3 (f32x4.add (f32x4.mul (global.get $A3) (local.get $cx)) (f32x4.splat (local.get $r3))))
            (local.set $ok (v128.and (local.get $ok) (v128.and
              (v128.and (f32x4.gt (local.get $e0) (v128.const f32x4 0 0 0 0)) (f32x4.gt (local.get $e1) (v128.const f32x4 0 0 0 0)))
              (v128.and (f32x4.gt (local.get $e2) (v128.const f32x4 0 0 0 0)) (f32x4.gt (local.get $e3) (v128.const f32x4 0 0 0 0))))))
            ;; pmin(e, 1) is `1 < e ? 1 : e`.
            (local.set $k (f32x4.mul (f32x4.mul (f32x4.mul
              (f32x4.pmin (local.get $e0) (v128.const f32x4 1 1 1 1)) (f32x4.pmin (local.get $e1) (v128.const f32x4 1 1 1 1)))
              (f32x4.pmin (local.get $e2) (v128.const f32x4 1 1 1 1))) (f32x4.pmin (local.get $e3) (v128.const f32x4 1 1 1 1))))))
        ;; Inverse homography of the pixel centre; texel (i, j) has its centre at (i + 0.5, j + 0.5).
        (local.set $iw (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (f32x4.mul (global.get $H6) (local.get $cx)) (f32x4.splat (local.get $rw)))))
        ;; Mask and opacity into the coverage (0 where not drawn), then the sample position and coverage into the
        ;; scratch; lanes past hi keep what the scratch has (another triangle's pixels).
        (if (global.get $mask)
          (then
            (local.set $m (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
              (v128.load32_zero align=1 (i32.add (local.get $maskRow) (local.get $x)))))))
            (local.set $ok (v128.and (local.get $ok) (f32x4.ne (local.get $m) (v128.const f32x4 0 0 0 0))))
            (local.set $k (f32x4.mul (local.get $k) (f32x4.div (local.get $m) (v128.const f32x4 255 255 255 255))))))
        (local.set $k (v128.and (f32x4.mul (local.get $k) (global.get $OPACITY)) (local.get $ok)))
        (local.set $sx (f32x4.sub (f32x4.mul (f32x4.add (f32x4.mul (global.get $H0) (local.get $cx)) (f32x4.splat (local.get $ru))) (local.get $iw))
          (v128.const f32x4 0.5 0.5 0.5 0.5)))
        (local.set $sy (f32x4.sub (f32x4.mul (f32x4.add (f32x4.mul (global.get $H3) (local.get $cx)) (f32x4.splat (local.get $rv))) (local.get $iw))
          (v128.const f32x4 0.5 0.5 0.5 0.5)))
        (local.set $p (i32.shl (local.get $x) (i32.const 2)))
        (if (i32.le_s (i32.add (local.get $x) (i32.const 4)) (local.get $hi))
          (then
            (v128.store align=4 (i32.add (global.get $sX) (local.get $p)) (local.get $sx))
            (v128.store align=4 (i32.add (global.get $sY) (local.get $p)) (local.get $sy))
            (v128.store align=4 (i32.add (global.get $sK) (local.get $p)) (local.get $k)))
          (else
            (local.set $valid (i32x4.lt_s (local.get $xv) (local.get $hiV)))
            (v128.store align=4 (i32.add (global.get $sX) (local.get $p)) (v128.bitselect (local.get $sx)
              (v128.load align=4 (i32.add (global.get $sX) (local.get $p))) (local.get $valid)))
            (v128.store align=4 (i32.add (global.get $sY) (local.get $p)) (v128.bitselect (local.get $sy)
              (v128.load align=4 (i32.add (global.get $sY) (local.get $p))) (local.get $valid)))
            (v128.store align=4 (i32.add (global.get $sK) (local.get $p)) (v128.bitselect (local.get $k)
              (v128.load align=4 (i32.add (global.get $sK) (local.get $p))) (local.get $valid)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $xv (i32x4.add (local.get $xv) (v128.const i32x4 4 4 4 4)))
        (br $step))))

  ;; Triangles, 144 bytes each (TRIANGLE_F64 slots): f64 vertices by y (ax, ay, bx, by, cx, cy), f64 ub, uc, vb, vc of
  ;; u = ua·x + ub·y + uc and v = va·x + vb·y + vc, f64 slopes dx/dy of the edges a→c, a→b, b→c (0 when flat), f64
  ;; inner (1: fully covered); then f32 ua, va, du = ua + ub, dv = va + vb (a pixel displaced by a one-map
  ;; displacement samples at (x + d, y + d)), iu, iv (1 / background pixels per artwork pixel along u and v). Row by row of the box
  ;; [left, left + width) × [top, top + height): rowStart (height + 1 i32) and entries list the triangles crossing
  ;; each row; each draws the pixel centres between its edges (half-open, as surface-triangles.ts explains) into
  ;; the scratch, then one pass shades the row.
  (func (export "mesh") (param $tris i32) (param $rowStart i32) (param $entries i32) (param $width i32) (param $height i32)
    (local $r i32) (local $y i32) (local $e i32) (local $eEnd i32) (local $t i32) (local $lo i32) (local $hi i32)
    (local $minLo i32) (local $maxHi i32) (local $inner i32)
    (local $py f64) (local $xl f64) (local $xs f64) (local $right f64) (local $leftF f64)
    (local.set $leftF (f64.convert_i32_s (global.get $left)))
    (local.set $right (f64.convert_i32_s (i32.add (global.get $left) (local.get $width))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $height)))
        (local.set $y (i32.add (global.get $top) (local.get $r)))
        (local.set $py (f64.add (f64.convert_i32_s (local.get $y)) (f64.const 0.5)))
        (local.set $e (i32.add (local.get $entries) (i32.shl (i32.load (i32.add (local.get $rowStart) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
        (local.set $eEnd (i32.add (local.get $entries) (i32.shl (i32.load offset=4 (i32.add (local.get $rowStart) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
        (local.set $minLo (i32.const 0x7fffffff))
        (local.set $maxHi (i32.const 0x80000000))
        (block $trisDone
          (loop $tri
            (br_if $trisDone (i32.ge_u (local.get $e) (local.get $eEnd)))
            (local.set $t (i32.add (local.get $tris) (i32.mul (i32.load (local.get $e)) (i32.const 144))))
            ;; Edge crossings x = x0 + (py − y0)·slope: the long edge a→c, and a→b above b, b→c from b down.
            (local.set $xl (f64.add (f64.load offset=0 (local.get $t))
              (f64.mul (f64.sub (local.get $py) (f64.load offset=8 (local.get $t))) (f64.load offset=80 (local.get $t)))))
            (local.set $xs (if (result f64) (f64.lt (local.get $py) (f64.load offset=24 (local.get $t)))
              (then (f64.add (f64.load offset=0 (local.get $t))
                (f64.mul (f64.sub (local.get $py) (f64.load offset=8 (local.get $t))) (f64.load offset=88 (local.get $t)))))
              (else (f64.add (f64.load offset=16 (local.get $t))
                (f64.mul (f64.sub (local.get $py) (f64.load offset=24 (local.get $t))) (f64.load offset=96 (local.get $t)))))))
            ;; Centres in [min, max).
            (local.set $lo (i32.trunc_sat_f64_s (f64.max (local.get $leftF)
              (f64.ceil (f64.sub (f64.min (local.get $xl) (local.get $xs)) (f64.const 0.5))))))
            (local.set $hi (i32.trunc_sat_f64_s (f64.min (local.get $right)
              (f64.ceil (f64.sub (f64.max (local.get $xl) (local.get $xs)) (f64.const 0.5))))))
            (if (i32.lt_s (local.get $lo) (local.get $hi))
              (then
                (local.set $inner (f64.ne (f64.load offset=104 (local.get $t)) (f64.const 0)))
                ;; An inner triangle is fully covered up to its last step, which may reach past hi.
                (call $meshSpan (local.get $y) (local.get $lo) (local.get $hi)
                  (select (i32.add (local.get $hi) (i32.const 3)) (i32.const 0) (local.get $inner)) (local.get $t)
                  (f32.demote_f64 (f64.add (f64.mul (f64.load offset=48 (local.get $t)) (local.get $py)) (f64.load offset=56 (local.get $t))))
                  (f32.demote_f64 (f64.add (f64.mul (f64.load offset=64 (local.get $t)) (local.get $py)) (f64.load offset=72 (local.get $t)))))
                (if (i32.lt_s (local.get $lo) (local.get $minLo)) (then (local.set $minLo (local.get $lo))))
                (if (i32.gt_s (local.get $hi) (local.get $maxHi)) (then (local.set $maxHi (local.get $hi))))))
            (local.set $e (i32.add (local.get $e) (i32.const 4)))
            (br $tri)))
        (if (i32.lt_s (local.get $minLo) (local.get $maxHi))
          (then (call $shade (local.get $y) (local.get $minLo) (local.get $maxHi))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; Pass 1 for one triangle's span [x, hi) of row y (ru, rv: its u and v at x = 0 on this row). Steps ending by
  ;; ihi have coverage 1; elsewhere coverage is each pixel's distance to the artwork's edges in background
  ;; pixels, a ramp 0 → 1 across the pixel.
  (func $meshSpan (param $y i32) (param $x i32) (param $hi i32) (param $ihi i32) (param $t i32) (param $ru f32) (param $rv f32)
    (local $dispRow i32) (local $dispYRow i32) (local $maskRow i32) (local $p i32) (local $dy v128)
    (local $m v128) (local $valid v128) (local $sx v128) (local $sy v128)
    (local $xv v128) (local $hiV v128) (local $cx v128) (local $ok v128) (local $k v128) (local $d v128)
    (local $UA v128) (local $VA v128) (local $RU v128) (local $RV v128) (local $IU v128) (local $IV v128)
    (local $u v128) (local $v v128) (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128)
    (local.set $dispRow (i32.sub (i32.add (global.get $disp) (i32.mul (i32.sub (local.get $y) (global.get $top)) (global.get $dispStride)))
      (global.get $left)))
    (local.set $dispYRow (i32.sub (i32.add (global.get $dispY) (i32.mul (i32.sub (local.get $y) (global.get $top)) (global.get $dispStride)))
      (global.get $left)))
    (local.set $maskRow (i32.sub (i32.add (global.get $mask) (i32.mul (i32.sub (local.get $y) (global.get $top)) (global.get $maskStride)))
      (global.get $left)))
    (local.set $UA (v128.load32_splat offset=112 (local.get $t)))
    (local.set $VA (v128.load32_splat offset=116 (local.get $t)))
    (local.set $IU (v128.load32_splat offset=128 (local.get $t)))
    (local.set $IV (v128.load32_splat offset=132 (local.get $t)))
    (local.set $RU (f32x4.splat (local.get $ru)))
    (local.set $RV (f32x4.splat (local.get $rv)))
    (local.set $xv (i32x4.add (i32x4.splat (local.get $x)) (v128.const i32x4 0 1 2 3)))
    (local.set $hiV (i32x4.splat (local.get $hi)))
    (block $done
      (loop $step
        (br_if $done (i32.ge_s (local.get $x) (local.get $hi)))
        (local.set $cx (f32x4.add (f32x4.convert_i32x4_s (local.get $xv)) (v128.const f32x4 0.5 0.5 0.5 0.5)))
        (local.set $ok (i32x4.lt_s (local.get $xv) (local.get $hiV)))
        (local.set $u (f32x4.add (f32x4.mul (local.get $UA) (local.get $cx)) (local.get $RU)))
        (local.set $v (f32x4.add (f32x4.mul (local.get $VA) (local.get $cx)) (local.get $RV)))
        (if (global.get $disp)
          (then
            (local.set $d (f32x4.mul (f32x4.convert_i32x4_s (i32x4.sub (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
              (v128.load32_zero align=1 (i32.add (local.get $dispRow) (local.get $x))))) (v128.const i32x4 128 128 128 128)))
              (global.get $DK)))
            ;; Photoshop's Displace reaches strength at white and black alike: 0 clamps at -strength.
            (local.set $d (f32x4.pmax (local.get $d) (global.get $DMIN)))
            (if (global.get $dispY)
              (then
                ;; Separate channels (a colour map): d across, dy down; u += ua·d + ub·dy, v += va·d + vb·dy.
                (local.set $dy (f32x4.mul (f32x4.convert_i32x4_s (i32x4.sub (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
                  (v128.load32_zero align=1 (i32.add (local.get $dispYRow) (local.get $x))))) (v128.const i32x4 128 128 128 128)))
                  (global.get $DK)))
                (local.set $dy (f32x4.pmax (local.get $dy) (global.get $DMIN)))
                (local.set $u (f32x4.add (f32x4.add (local.get $u) (f32x4.mul (local.get $UA) (local.get $d)))
                  (f32x4.mul (v128.load32_splat offset=136 (local.get $t)) (local.get $dy))))
                (local.set $v (f32x4.add (f32x4.add (local.get $v) (f32x4.mul (local.get $VA) (local.get $d)))
                  (f32x4.mul (v128.load32_splat offset=140 (local.get $t)) (local.get $dy)))))
              (else
                (local.set $u (f32x4.add (local.get $u) (f32x4.mul (v128.load32_splat offset=120 (local.get $t)) (local.get $d))))
                (local.set $v (f32x4.add (local.get $v) (f32x4.mul (v128.load32_splat offset=124 (local.get $t)) (local.get $d))))))))
        (if (i32.le_s (i32.add (local.get $x) (i32.const 4)) (local.get $ihi))
          (then (local.set $k (v128.const f32x4 1 1 1 1)))
          (else
            (local.set $e0 (f32x4.add (f32x4.mul (local.get $u) (local.get $IU)) (v128.const f32x4 0.5 0.5 0.5 0.5)))
            (local.set $e1 (f32x4.add (f32x4.mul (f32x4.sub (global.get $MAXU) (local.get $u)) (local.get $IU))
              (v128.const f32x4 0.5 0.5 0.5 0.5)))
            (local.set $e2 (f32x4.add (f32x4.mul (local.get $v) (local.get $IV)) (v128.const f32x4 0.5 0.5 0.5 0.5)))
            (local.set $e3 (f32x4.add (f32x4.mul (f32x4.sub (global.get $MAXV) (local.get $v)) (local.get $IV))
              (v128.const f32x4 0.5 0.5 0.5 0.5)))
            (local.set $ok (v128.and (local.get $ok) (v128.and
              (v128.and (f32x4.gt (local.get $e0) (v128.const f32x4 0 0 0 0)) (f32x4.gt (local.get $e1) (v128.const f32x4 0 0 0 0)))
              (v128.and (f32x4.gt (local.get $e2) (v128.const f32x4 0 0 0 0)) (f32x4.gt (local.get $e3) (v128.const f32x4 0 0 0 0))))))
            ;; pmin(e, 1) is `1 < e ? 1 : e`.
            (local.set $k (f32x4.mul (f32x4.mul (f32x4.mul
              (f32x4.pmin (local.get $e0) (v128.const f32x4 1 1 1 1)) (f32x4.pmin (local.get $e1) (v128.const f32x4 1 1 1 1)))
              (f32x4.pmin (local.get $e2) (v128.const f32x4 1 1 1 1))) (f32x4.pmin (local.get $e3) (v128.const f32x4 1 1 1 1))))))
        ;; Mask and opacity into the coverage (0 where not drawn), then the sample position and coverage into the
        ;; scratch; lanes past hi keep what the scratch has (another triangle's pixels).
        (if (global.get $mask)
          (then
            (local.set $m (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
              (v128.load32_zero align=1 (i32.add (local.get $maskRow) (local.get $x)))))))
            (local.set $ok (v128.and (local.get $ok) (f32x4.ne (local.get $m) (v128.const f32x4 0 0 0 0))))
            (local.set $k (f32x4.mul (local.get $k) (f32x4.div (local.get $m) (v128.const f32x4 255 255 255 255))))))
        (local.set $k (v128.and (f32x4.mul (local.get $k) (global.get $OPACITY)) (local.get $ok)))
        (local.set $sx (f32x4.sub (local.get $u) (v128.const f32x4 0.5 0.5 0.5 0.5)))
        (local.set $sy (f32x4.sub (local.get $v) (v128.const f32x4 0.5 0.5 0.5 0.5)))
        (local.set $p (i32.shl (local.get $x) (i32.const 2)))
        (if (i32.le_s (i32.add (local.get $x) (i32.const 4)) (local.get $hi))
          (then
            (v128.store align=4 (i32.add (global.get $sX) (local.get $p)) (local.get $sx))
            (v128.store align=4 (i32.add (global.get $sY) (local.get $p)) (local.get $sy))
            (v128.store align=4 (i32.add (global.get $sK) (local.get $p)) (local.get $k)))
          (else
            (local.set $valid (i32x4.lt_s (local.get $xv) (local.get $hiV)))
            (v128.store align=4 (i32.add (global.get $sX) (local.get $p)) (v128.bitselect (local.get $sx)
              (v128.load align=4 (i32.add (global.get $sX) (local.get $p))) (local.get $valid)))
            (v128.store align=4 (i32.add (global.get $sY) (local.get $p)) (v128.bitselect (local.get $sy)
              (v128.load align=4 (i32.add (global.get $sY) (local.get $p))) (local.get $valid)))
            (v128.store align=4 (i32.add (global.get $sK) (local.get $p)) (v128.bitselect (local.get $k)
              (v128.load align=4 (i32.add (global.get $sK) (local.get $p))) (local.get $valid)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $xv (i32x4.add (local.get $xv) (v128.const i32x4 4 4 4 4)))
        (br $step))))

  ;; Pass 2 over [x, hi) of row y: samples and blends every pixel pass 1 gave coverage, and clears the coverage
  ;; behind it. The common case is $shade3 (RGB, normal or multiply); $shadeAny does the rest.
  (func $shade (param $y i32) (param $x i32) (param $hi i32)
    (if (i32.and (i32.eq (global.get $ch) (i32.const 3)) (i32.le_u (global.get $blend) (i32.const 1)))
      (then (call $shade3 (local.get $y) (local.get $x) (local.get $hi)))
      (else (call $shadeAny (local.get $y) (local.get $x) (local.get $hi)))))

  (func $shade3 (param $y i32) (param $x i32) (param $hi i32)
    (local $bgRow i32) (local $o i32) (local $a i32) (local $p i32)
    (local $ok v128) (local $k v128) (local $X v128) (local $wy v128) (local $gy v128) (local $pair v128) (local $idx v128)
    (local $t01 v128) (local $t23 v128) (local $b01 v128) (local $b23 v128) (local $trg v128) (local $tba v128) (local $brg v128) (local $bba v128)
    (local $R v128) (local $G v128) (local $B v128) (local $A v128)
    (local $kk v128) (local $cr v128) (local $cg v128) (local $cb v128) (local $alpha v128) (local $keep v128)
    (local $pix v128) (local $br v128) (local $bgc v128) (local $bb v128)
    (local.set $bgRow (i32.sub (i32.add (global.get $bg) (i32.mul (i32.sub (local.get $y) (global.get $top)) (global.get $bgStride)))
      (i32.mul (global.get $left) (i32.const 3))))
    (block $done
      (loop $step
        (br_if $done (i32.ge_s (local.get $x) (local.get $hi)))
        (local.set $p (i32.shl (local.get $x) (i32.const 2)))
        (block $next
          (local.set $k (v128.load align=4 (i32.add (global.get $sK) (local.get $p))))
          (local.set $ok (f32x4.gt (local.get $k) (v128.const f32x4 0 0 0 0)))
          (br_if $next (i32.eqz (v128.any_true (local.get $ok))))
          ;; Clamp to the texel centres (NaN, on the horizon line, becomes the last one); in 1/256 texel, rounded, the
          ;; texel and the weight of the one right of (below) it (floor + 2^23 converts exactly below 2^23, so for
          ;; artwork under 32768 px). Lanes not drawn may hold anything; clamped, they read inside the artwork too.
          (local.set $X (i32x4.sub (f32x4.add (f32x4.floor (f32x4.add (f32x4.mul (f32x4.pmax (v128.const f32x4 0 0 0 0)
            (f32x4.pmin (global.get $MAXX) (v128.load align=4 (i32.add (global.get $sX) (local.get $p)))))
            (v128.const f32x4 256 256 256 256)) (v128.const f32x4 0.5 0.5 0.5 0.5))) (v128.const f32x4 0x1p23 0x1p23 0x1p23 0x1p23)) (v128.const i32x4 0x4b000000 0x4b000000 0x4b000000 0x4b000000)))
          (local.set $wy (i32x4.sub (f32x4.add (f32x4.floor (f32x4.add (f32x4.mul (f32x4.pmax (v128.const f32x4 0 0 0 0)
            (f32x4.pmin (global.get $MAXY) (v128.load align=4 (i32.add (global.get $sY) (local.get $p)))))
            (v128.const f32x4 256 256 256 256)) (v128.const f32x4 0.5 0.5 0.5 0.5))) (v128.const f32x4 0x1p23 0x1p23 0x1p23 0x1p23)) (v128.const i32x4 0x4b000000 0x4b000000 0x4b000000 0x4b000000)))
          ;; Byte shuffles and multiplies rather than vector shifts, which the engine compiles poorly: the texel is
          ;; X >> 8 (X < 2^24), its byte offset (y0·aw + x0)·4 + art.
          (local.set $idx (i8x16.swizzle (local.get $X) (v128.const i8x16 1 2 3 128 5 6 7 128 9 10 11 128 13 14 15 128)))
          (local.set $idx (i32x4.add (i32x4.add (global.get $ARTV) (i32x4.mul (i8x16.swizzle (local.get $wy)
            (v128.const i8x16 1 2 3 128 5 6 7 128 9 10 11 128 13 14 15 128)) (global.get $AW4V)))
            (i32x4.add (local.get $idx) (i32x4.add (local.get $idx) (i32x4.add (local.get $idx) (local.get $idx))))))
          (local.set $X (v128.and (local.get $X) (v128.const i32x4 255 255 255 255)))
          (local.set $wy (v128.and (local.get $wy) (v128.const i32x4 255 255 255 255)))
          ;; i16 pairs (256 − wx, wx), matching each pixel's left and right taps: 256 + wx·65535.
          (local.set $pair (i32x4.add (v128.const i32x4 256 256 256 256) (i32x4.mul (local.get $X) (v128.const i32x4 65535 65535 65535 65535))))
          (local.set $gy (i32x4.sub (v128.const i32x4 256 256 256 256) (local.get $wy)))
          ;; Left and right taps in one 64-bit load per pixel and row.
          (local.set $a (i32x4.extract_lane 0 (local.get $idx)))
          (local.set $t01 (v128.load64_splat align=1 (local.get $a)))
          (local.set $b01 (v128.load64_splat align=1 (i32.add (local.get $a) (global.get $rowBytes))))
          (local.set $a (i32x4.extract_lane 1 (local.get $idx)))
          (local.set $t01 (v128.load64_lane align=1 1 (local.get $a) (local.get $t01)))
          (local.set $b01 (v128.load64_lane align=1 1 (i32.add (local.get $a) (global.get $rowBytes)) (local.get $b01)))
          (local.set $a (i32x4.extract_lane 2 (local.get $idx)))
          (local.set $t23 (v128.load64_splat align=1 (local.get $a)))
          (local.set $b23 (v128.load64_splat align=1 (i32.add (local.get $a) (global.get $rowBytes))))
          (local.set $a (i32x4.extract_lane 3 (local.get $idx)))
          (local.set $t23 (v128.load64_lane align=1 1 (local.get $a) (local.get $t23)))
          (local.set $b23 (v128.load64_lane align=1 1 (i32.add (local.get $a) (global.get $rowBytes)) (local.get $b23)))
          ;; Per channel, the four pixels' (left, right) taps side by side: red and green, blue and alpha (each pair of
          ;; pixels sorted by channel, then the two pairs interleaved by 32-bit lane).
          (local.set $trg (i8x16.shuffle 0 4 8 12 16 20 24 28 1 5 9 13 17 21 25 29 (local.get $t01) (local.get $t23)))
          (local.set $tba (i8x16.shuffle 2 6 10 14 18 22 26 30 3 7 11 15 19 23 27 31 (local.get $t01) (local.get $t23)))
          (local.set $brg (i8x16.shuffle 0 4 8 12 16 20 24 28 1 5 9 13 17 21 25 29 (local.get $b01) (local.get $b23)))
          (local.set $bba (i8x16.shuffle 2 6 10 14 18 22 26 30 3 7 11 15 19 23 27 31 (local.get $b01) (local.get $b23)))
          ;; Horizontal lerp as a dot product, then the vertical one: premultiplied channels × 65536.
          (local.set $R (i32x4.add
            (i32x4.mul (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $trg)) (local.get $pair)) (local.get $gy))
            (i32x4.mul (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $brg)) (local.get $pair)) (local.get $wy))))
          (local.set $G (i32x4.add
            (i32x4.mul (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $trg)) (local.get $pair)) (local.get $gy))
            (i32x4.mul (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $brg)) (local.get $pair)) (local.get $wy))))
          (local.set $B (i32x4.add
            (i32x4.mul (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $tba)) (local.get $pair)) (local.get $gy))
            (i32x4.mul (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $bba)) (local.get $pair)) (local.get $wy))))
          (local.set $A (i32x4.add
            (i32x4.mul (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $tba)) (local.get $pair)) (local.get $gy))
            (i32x4.mul (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $bba)) (local.get $pair)) (local.get $wy))))
          ;; A fully transparent sample draws nothing (and would divide by zero in the blends).
          (local.set $ok (v128.and (local.get $ok) (i32x4.gt_s (local.get $A) (v128.const i32x4 0 0 0 0))))
          (br_if $next (i32.eqz (v128.any_true (local.get $ok))))
          ;; Normal blend, four opaque samples at full coverage: the pixels are the samples, (R + 2^15) >> 16 a channel
          ;; (what the general formula gives then, exactly), byte 2 of each lane.
          (if (i32.and (i32.eqz (global.get $blend)) (i32x4.all_true (v128.and
              (f32x4.eq (local.get $k) (v128.const f32x4 1 1 1 1)) (i32x4.eq (local.get $A) (v128.const i32x4 16711680 16711680 16711680 16711680)))))
            (then
              (local.set $o (i32.add (local.get $bgRow) (i32.mul (local.get $x) (i32.const 3))))
              (local.set $pix (i8x16.shuffle 0 1 18 2 3 22 4 5 26 6 7 30 0 0 0 0
                (i8x16.shuffle 2 18 6 22 10 26 14 30 0 0 0 0 0 0 0 0
                  (i32x4.add (local.get $R) (v128.const i32x4 32768 32768 32768 32768))
                  (i32x4.add (local.get $G) (v128.const i32x4 32768 32768 32768 32768)))
                (i32x4.add (local.get $B) (v128.const i32x4 32768 32768 32768 32768))))
              (v128.store64_lane align=1 0 (local.get $o) (local.get $pix))
              (v128.store32_lane offset=8 align=1 2 (local.get $o) (local.get $pix))
              (br $next)))
          (local.set $R (f32x4.convert_i32x4_s (local.get $R)))
          (local.set $G (f32x4.convert_i32x4_s (local.get $G)))
          (local.set $B (f32x4.convert_i32x4_s (local.get $B)))
          (local.set $A (f32x4.convert_i32x4_s (local.get $A)))
          ;; The sample's share, 0..255 a channel, and its alpha 0..1, both × coverage.
          (local.set $kk (f32x4.mul (local.get $k) (v128.const f32x4 0x1p-16 0x1p-16 0x1p-16 0x1p-16)))
          (local.set $cr (f32x4.mul (local.get $R) (local.get $kk)))
          (local.set $cg (f32x4.mul (local.get $G) (local.get $kk)))
          (local.set $cb (f32x4.mul (local.get $B) (local.get $kk)))
          (local.set $alpha (f32x4.div (f32x4.mul (local.get $A) (local.get $kk)) (v128.const f32x4 255 255 255 255)))
          (local.set $keep (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $alpha)))
          (local.set $o (i32.add (local.get $bgRow) (i32.mul (local.get $x) (i32.const 3))))
          (local.set $pix (v128.load align=1 (local.get $o)))
          (local.set $br (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $pix)
            (v128.const i8x16 0 128 128 128 3 128 128 128 6 128 128 128 9 128 128 128))))
          (local.set $bgc (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $pix)
            (v128.const i8x16 1 128 128 128 4 128 128 128 7 128 128 128 10 128 128 128))))
          (local.set $bb (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $pix)
            (v128.const i8x16 2 128 128 128 5 128 128 128 8 128 128 128 11 128 128 128))))
          ;; Multiply, Photoshop's way: each channel by the backdrop's, lifted towards white by (1 - shading).
          (if (global.get $blend)
            (then
              (local.set $cr (f32x4.mul (local.get $cr) (f32x4.add (global.get $FLAT) (f32x4.mul (global.get $LUMAK) (local.get $br)))))
              (local.set $cg (f32x4.mul (local.get $cg) (f32x4.add (global.get $FLAT) (f32x4.mul (global.get $LUMAK) (local.get $bgc)))))
              (local.set $cb (f32x4.mul (local.get $cb) (f32x4.add (global.get $FLAT) (f32x4.mul (global.get $LUMAK) (local.get $bb)))))))
          ;; share + backdrop × (1 − alpha), rounded (all of it is at least 0.5, so the
          ;; floor is the truncation; + 2^23 puts it in the low mantissa bits); to bytes, pixels not drawn (and the
          ;; next pixel's bytes) as they were read.
          (v128.store align=1 (local.get $o) (v128.bitselect
            (i8x16.swizzle (i8x16.narrow_i16x8_u
                (i16x8.narrow_i32x4_u
                  (i32x4.sub (f32x4.add (f32x4.floor (f32x4.add (f32x4.add (local.get $cr)
                    (f32x4.mul (local.get $br) (local.get $keep))) (v128.const f32x4 0.5 0.5 0.5 0.5))) (v128.const f32x4 0x1p23 0x1p23 0x1p23 0x1p23)) (v128.const i32x4 0x4b000000 0x4b000000 0x4b000000 0x4b000000))
                  (i32x4.sub (f32x4.add (f32x4.floor (f32x4.add (f32x4.add (local.get $cg)
                    (f32x4.mul (local.get $bgc) (local.get $keep))) (v128.const f32x4 0.5 0.5 0.5 0.5))) (v128.const f32x4 0x1p23 0x1p23 0x1p23 0x1p23)) (v128.const i32x4 0x4b000000 0x4b000000 0x4b000000 0x4b000000)))
                (i16x8.narrow_i32x4_u
                  (local.tee $R (i32x4.sub (f32x4.add (f32x4.floor (f32x4.add (f32x4.add (local.get $cb)
                    (f32x4.mul (local.get $bb) (local.get $keep))) (v128.const f32x4 0.5 0.5 0.5 0.5))) (v128.const f32x4 0x1p23 0x1p23 0x1p23 0x1p23)) (v128.const i32x4 0x4b000000 0x4b000000 0x4b000000 0x4b000000)))
                  (local.get $R)))
              (v128.const i8x16 0 4 8 1 5 9 2 6 10 3 7 11 12 13 14 15))
            (local.get $pix)
            (i8x16.swizzle (local.get $ok) (v128.const i8x16 0 0 0 4 4 4 8 8 8 12 12 12 128 128 128 128)))))
        (v128.store align=4 (i32.add (global.get $sK) (local.get $p)) (v128.const i32x4 0 0 0 0))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $step))))

  (func $shadeAny (param $y i32) (param $x i32) (param $hi i32)
    (local $bgRow i32) (local $o i32) (local $a i32) (local $p i32)
    (local $ok v128) (local $k v128) (local $X v128) (local $wy v128) (local $gy v128) (local $pair v128) (local $idx v128)
    (local $t01 v128) (local $t23 v128) (local $b01 v128) (local $b23 v128) (local $trg v128) (local $tba v128) (local $brg v128) (local $bba v128)
    (local $R v128) (local $G v128) (local $B v128) (local $A v128)
    (local $kk v128) (local $cr v128) (local $cg v128) (local $cb v128) (local $alpha v128) (local $keep v128)
    (local $pix v128) (local $br v128) (local $bgc v128) (local $bb v128)
    (local $ba v128) (local $opaque v128) (local $outA v128) (local $under v128) (local $norm v128)
    (local $oR v128) (local $oG v128) (local $oB v128) (local $oA v128)
    (local.set $bgRow (i32.sub (i32.add (global.get $bg) (i32.mul (i32.sub (local.get $y) (global.get $top)) (global.get $bgStride)))
      (i32.mul (global.get $left) (global.get $ch))))
    (block $done
      (loop $step
        (br_if $done (i32.ge_s (local.get $x) (local.get $hi)))
        (local.set $p (i32.shl (local.get $x) (i32.const 2)))
        (block $next
          (local.set $k (v128.load align=4 (i32.add (global.get $sK) (local.get $p))))
          (local.set $ok (f32x4.gt (local.get $k) (v128.const f32x4 0 0 0 0)))
          (br_if $next (i32.eqz (v128.any_true (local.get $ok))))
          ;; Clamp to the texel centres (NaN, on the horizon line, becomes the last one); in 1/256 texel, rounded, the
          ;; texel and the weight of the one right of (below) it (floor + 2^23 converts exactly below 2^23, so for
          ;; artwork under 32768 px). Lanes not drawn may hold anything; clamped, they read inside the artwork too.
          (local.set $X (i32x4.sub (f32x4.add (f32x4.floor (f32x4.add (f32x4.mul (f32x4.pmax (v128.const f32x4 0 0 0 0)
            (f32x4.pmin (global.get $MAXX) (v128.load align=4 (i32.add (global.get $sX) (local.get $p)))))
            (v128.const f32x4 256 256 256 256)) (v128.const f32x4 0.5 0.5 0.5 0.5))) (v128.const f32x4 0x1p23 0x1p23 0x1p23 0x1p23)) (v128.const i32x4 0x4b000000 0x4b000000 0x4b000000 0x4b000000)))
          (local.set $wy (i32x4.sub (f32x4.add (f32x4.floor (f32x4.add (f32x4.mul (f32x4.pmax (v128.const f32x4 0 0 0 0)
            (f32x4.pmin (global.get $MAXY) (v128.load align=4 (i32.add (global.get $sY) (local.get $p)))))
            (v128.const f32x4 256 256 256 256)) (v128.const f32x4 0.5 0.5 0.5 0.5))) (v128.const f32x4 0x1p23 0x1p23 0x1p23 0x1p23)) (v128.const i32x4 0x4b000000 0x4b000000 0x4b000000 0x4b000000)))
          ;; Byte shuffles and multiplies rather than vector shifts, which the engine compiles poorly: the texel is
          ;; X >> 8 (X < 2^24), its byte offset (y0·aw + x0)·4 + art.
          (local.set $idx (i8x16.swizzle (local.get $X) (v128.const i8x16 1 2 3 128 5 6 7 128 9 10 11 128 13 14 15 128)))
          (local.set $idx (i32x4.add (i32x4.add (global.get $ARTV) (i32x4.mul (i8x16.swizzle (local.get $wy)
            (v128.const i8x16 1 2 3 128 5 6 7 128 9 10 11 128 13 14 15 128)) (global.get $AW4V)))
            (i32x4.add (local.get $idx) (i32x4.add (local.get $idx) (i32x4.add (local.get $idx) (local.get $idx))))))
          (local.set $X (v128.and (local.get $X) (v128.const i32x4 255 255 255 255)))
          (local.set $wy (v128.and (local.get $wy) (v128.const i32x4 255 255 255 255)))
          ;; i16 pairs (256 − wx, wx), matching each pixel's left and right taps: 256 + wx·65535.
          (local.set $pair (i32x4.add (v128.const i32x4 256 256 256 256) (i32x4.mul (local.get $X) (v128.const i32x4 65535 65535 65535 65535))))
          (local.set $gy (i32x4.sub (v128.const i32x4 256 256 256 256) (local.get $wy)))
          ;; Left and right taps in one 64-bit load per pixel and row.
          (local.set $a (i32x4.extract_lane 0 (local.get $idx)))
          (local.set $t01 (v128.load64_splat align=1 (local.get $a)))
          (local.set $b01 (v128.load64_splat align=1 (i32.add (local.get $a) (global.get $rowBytes))))
          (local.set $a (i32x4.extract_lane 1 (local.get $idx)))
          (local.set $t01 (v128.load64_lane align=1 1 (local.get $a) (local.get $t01)))
          (local.set $b01 (v128.load64_lane align=1 1 (i32.add (local.get $a) (global.get $rowBytes)) (local.get $b01)))
          (local.set $a (i32x4.extract_lane 2 (local.get $idx)))
          (local.set $t23 (v128.load64_splat align=1 (local.get $a)))
          (local.set $b23 (v128.load64_splat align=1 (i32.add (local.get $a) (global.get $rowBytes))))
          (local.set $a (i32x4.extract_lane 3 (local.get $idx)))
          (local.set $t23 (v128.load64_lane align=1 1 (local.get $a) (local.get $t23)))
          (local.set $b23 (v128.load64_lane align=1 1 (i32.add (local.get $a) (global.get $rowBytes)) (local.get $b23)))
          ;; Per channel, the four pixels' (left, right) taps side by side: red and green, blue and alpha (each pair of
          ;; pixels sorted by channel, then the two pairs interleaved by 32-bit lane).
          (local.set $trg (i8x16.shuffle 0 4 8 12 16 20 24 28 1 5 9 13 17 21 25 29 (local.get $t01) (local.get $t23)))
          (local.set $tba (i8x16.shuffle 2 6 10 14 18 22 26 30 3 7 11 15 19 23 27 31 (local.get $t01) (local.get $t23)))
          (local.set $brg (i8x16.shuffle 0 4 8 12 16 20 24 28 1 5 9 13 17 21 25 29 (local.get $b01) (local.get $b23)))
          (local.set $bba (i8x16.shuffle 2 6 10 14 18 22 26 30 3 7 11 15 19 23 27 31 (local.get $b01) (local.get $b23)))
          ;; Horizontal lerp as a dot product, then the vertical one: premultiplied channels × 65536.
          (local.set $R (i32x4.add
            (i32x4.mul (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $trg)) (local.get $pair)) (local.get $gy))
            (i32x4.mul (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $brg)) (local.get $pair)) (local.get $wy))))
          (local.set $G (i32x4.add
            (i32x4.mul (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $trg)) (local.get $pair)) (local.get $gy))
            (i32x4.mul (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $brg)) (local.get $pair)) (local.get $wy))))
          (local.set $B (i32x4.add
            (i32x4.mul (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $tba)) (local.get $pair)) (local.get $gy))
            (i32x4.mul (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $bba)) (local.get $pair)) (local.get $wy))))
          (local.set $A (i32x4.add
            (i32x4.mul (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $tba)) (local.get $pair)) (local.get $gy))
            (i32x4.mul (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $bba)) (local.get $pair)) (local.get $wy))))
          ;; A fully transparent sample draws nothing (and would divide by zero in the blends).
          (local.set $ok (v128.and (local.get $ok) (i32x4.gt_s (local.get $A) (v128.const i32x4 0 0 0 0))))
          (br_if $next (i32.eqz (v128.any_true (local.get $ok))))
          (local.set $R (f32x4.convert_i32x4_s (local.get $R)))
          (local.set $G (f32x4.convert_i32x4_s (local.get $G)))
          (local.set $B (f32x4.convert_i32x4_s (local.get $B)))
          (local.set $A (f32x4.convert_i32x4_s (local.get $A)))
          ;; The sample's share, 0..255 a channel, and its alpha 0..1, both × coverage.
          (local.set $kk (f32x4.mul (local.get $k) (v128.const f32x4 0x1p-16 0x1p-16 0x1p-16 0x1p-16)))
          (local.set $cr (f32x4.mul (local.get $R) (local.get $kk)))
          (local.set $cg (f32x4.mul (local.get $G) (local.get $kk)))
          (local.set $cb (f32x4.mul (local.get $B) (local.get $kk)))
          (local.set $alpha (f32x4.div (f32x4.mul (local.get $A) (local.get $kk)) (v128.const f32x4 255 255 255 255)))
          (local.set $keep (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $alpha)))
          ;; The background's four pixels, one channel per vector.
          (if (i32.eq (global.get $ch) (i32.const 3))
            (then
              (local.set $o (i32.add (local.get $bgRow) (i32.mul (local.get $x) (i32.const 3))))
              (local.set $pix (v128.load align=1 (local.get $o)))
              (local.set $br (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $pix)
                (v128.const i8x16 0 128 128 128 3 128 128 128 6 128 128 128 9 128 128 128))))
              (local.set $bgc (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $pix)
                (v128.const i8x16 1 128 128 128 4 128 128 128 7 128 128 128 10 128 128 128))))
              (local.set $bb (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $pix)
                (v128.const i8x16 2 128 128 128 5 128 128 128 8 128 128 128 11 128 128 128))))
              (local.set $ba (v128.const f32x4 255 255 255 255)))
            (else
              (local.set $o (i32.add (local.get $bgRow) (i32.shl (local.get $x) (i32.const 2))))
              (local.set $pix (v128.load align=1 (local.get $o)))
              (local.set $br (f32x4.convert_i32x4_s (v128.and (local.get $pix) (v128.const i32x4 255 255 255 255))))
              (local.set $bgc (f32x4.convert_i32x4_s (v128.and (i32x4.shr_u (local.get $pix) (i32.const 8)) (v128.const i32x4 255 255 255 255))))
              (local.set $bb (f32x4.convert_i32x4_s (v128.and (i32x4.shr_u (local.get $pix) (i32.const 16)) (v128.const i32x4 255 255 255 255))))
              (local.set $ba (f32x4.convert_i32x4_s (i32x4.shr_u (local.get $pix) (i32.const 24))))))

          (if (i32.le_u (global.get $blend) (i32.const 1))
            (then
              (if (global.get $blend)
                (then
                  ;; Multiply, Photoshop's way: each channel by the backdrop's, lifted towards white by (1 - shading).
                  (local.set $cr (f32x4.mul (local.get $cr) (f32x4.add (global.get $FLAT) (f32x4.mul (global.get $LUMAK) (local.get $br)))))
                  (local.set $cg (f32x4.mul (local.get $cg) (f32x4.add (global.get $FLAT) (f32x4.mul (global.get $LUMAK) (local.get $bgc)))))
                  (local.set $cb (f32x4.mul (local.get $cb) (f32x4.add (global.get $FLAT) (f32x4.mul (global.get $LUMAK) (local.get $bb)))))))
              (local.set $oR (f32x4.add (f32x4.add (local.get $cr) (f32x4.mul (local.get $br) (local.get $keep))) (v128.const f32x4 0.5 0.5 0.5 0.5)))
              (local.set $oG (f32x4.add (f32x4.add (local.get $cg) (f32x4.mul (local.get $bgc) (local.get $keep))) (v128.const f32x4 0.5 0.5 0.5 0.5)))
              (local.set $oB (f32x4.add (f32x4.add (local.get $cb) (f32x4.mul (local.get $bb) (local.get $keep))) (v128.const f32x4 0.5 0.5 0.5 0.5)))
              (local.set $oA (local.get $ba))
              (local.set $opaque (f32x4.eq (local.get $ba) (v128.const f32x4 255 255 255 255)))
              (if (i32.eqz (i32x4.all_true (local.get $opaque)))
                (then
                  ;; Straight-alpha "over" onto a translucent background, for the lanes that have one.
                  (local.set $outA (f32x4.add (f32x4.mul (local.get $alpha) (v128.const f32x4 255 255 255 255))
                    (f32x4.mul (local.get $ba) (local.get $keep))))
                  (local.set $under (f32x4.div (f32x4.mul (local.get $ba) (local.get $keep)) (v128.const f32x4 255 255 255 255)))
                  (local.set $norm (f32x4.div (v128.const f32x4 255 255 255 255) (local.get $outA)))
                  (local.set $oR (v128.bitselect (local.get $oR) (f32x4.add (f32x4.mul (f32x4.add (local.get $cr)
                    (f32x4.mul (local.get $br) (local.get $under))) (local.get $norm)) (v128.const f32x4 0.5 0.5 0.5 0.5)) (local.get $opaque)))
                  (local.set $oG (v128.bitselect (local.get $oG) (f32x4.add (f32x4.mul (f32x4.add (local.get $cg)
                    (f32x4.mul (local.get $bgc) (local.get $under))) (local.get $norm)) (v128.const f32x4 0.5 0.5 0.5 0.5)) (local.get $opaque)))
                  (local.set $oB (v128.bitselect (local.get $oB) (f32x4.add (f32x4.mul (f32x4.add (local.get $cb)
                    (f32x4.mul (local.get $bb) (local.get $under))) (local.get $norm)) (v128.const f32x4 0.5 0.5 0.5 0.5)) (local.get $opaque)))
                  (local.set $oA (v128.bitselect (local.get $ba) (f32x4.add (local.get $outA) (v128.const f32x4 0.5 0.5 0.5 0.5))
                    (local.get $opaque))))))
            (else
              ;; Other blends work on the straight colour: backdrop + alpha × (blend − backdrop).
              (local.set $oR (f32x4.add (f32x4.add (local.get $br) (f32x4.mul (local.get $alpha) (f32x4.sub
                (call $blendOf (local.get $br) (f32x4.div (f32x4.mul (local.get $R) (v128.const f32x4 255 255 255 255)) (local.get $A)))
                (local.get $br)))) (v128.const f32x4 0.5 0.5 0.5 0.5)))
              (local.set $oG (f32x4.add (f32x4.add (local.get $bgc) (f32x4.mul (local.get $alpha) (f32x4.sub
                (call $blendOf (local.get $bgc) (f32x4.div (f32x4.mul (local.get $G) (v128.const f32x4 255 255 255 255)) (local.get $A)))
                (local.get $bgc)))) (v128.const f32x4 0.5 0.5 0.5 0.5)))
              (local.set $oB (f32x4.add (f32x4.add (local.get $bb) (f32x4.mul (local.get $alpha) (f32x4.sub
                (call $blendOf (local.get $bb) (f32x4.div (f32x4.mul (local.get $B) (v128.const f32x4 255 255 255 255)) (local.get $A)))
                (local.get $bb)))) (v128.const f32x4 0.5 0.5 0.5 0.5)))
              (local.set $oA (local.get $ba))))

          ;; To bytes; pixels not drawn (and the next pixel's bytes in the RGB case) keep what was read.
          (if (i32.eq (global.get $ch) (i32.const 3))
            (then
              (v128.store align=1 (local.get $o) (v128.bitselect
                (i8x16.swizzle (i8x16.narrow_i16x8_u
                    (i16x8.narrow_i32x4_u (i32x4.trunc_sat_f32x4_s (local.get $oR)) (i32x4.trunc_sat_f32x4_s (local.get $oG)))
                    (i16x8.narrow_i32x4_u (i32x4.trunc_sat_f32x4_s (local.get $oB)) (i32x4.trunc_sat_f32x4_s (local.get $oB))))
                  (v128.const i8x16 0 4 8 1 5 9 2 6 10 3 7 11 12 13 14 15))
                (local.get $pix)
                (i8x16.swizzle (local.get $ok) (v128.const i8x16 0 0 0 4 4 4 8 8 8 12 12 12 128 128 128 128)))))
            (else
              (v128.store align=1 (local.get $o) (v128.bitselect
                (i8x16.swizzle (i8x16.narrow_i16x8_u
                    (i16x8.narrow_i32x4_u (i32x4.trunc_sat_f32x4_s (local.get $oR)) (i32x4.trunc_sat_f32x4_s (local.get $oG)))
                    (i16x8.narrow_i32x4_u (i32x4.trunc_sat_f32x4_s (local.get $oB)) (i32x4.trunc_sat_f32x4_s (local.get $oA))))
                  (v128.const i8x16 0 4 8 12 1 5 9 13 2 6 10 14 3 7 11 15))
                (local.get $pix)
                (local.get $ok))))))
        (v128.store align=4 (i32.add (global.get $sK) (local.get $p)) (v128.const i32x4 0 0 0 0))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $step))))

  ;; Photoshop's blend (codes 2..6 of blend-modes.ts) of straight colour s over backdrop b, both 0..255.
  (func $blendOf (param $b v128) (param $s v128) (result v128)
    (local $cb v128) (local $cs v128)
    (if (i32.eq (global.get $blend) (i32.const 2))
      (then
        ;; screen: b + s − b·s / 255
        (return (f32x4.sub (f32x4.add (local.get $b) (local.get $s))
          (f32x4.div (f32x4.mul (local.get $b) (local.get $s)) (v128.const f32x4 255 255 255 255))))))
    (if (i32.eq (global.get $blend) (i32.const 3))
      (then
        ;; overlay: 2·b·s / 255 where b ≤ 127.5, else 255 − 2·(255 − b)·(255 − s) / 255
        (return (v128.bitselect
          (f32x4.div (f32x4.mul (f32x4.mul (v128.const f32x4 2 2 2 2) (local.get $b)) (local.get $s)) (v128.const f32x4 255 255 255 255))
          (f32x4.sub (v128.const f32x4 255 255 255 255) (f32x4.div (f32x4.mul (f32x4.mul (v128.const f32x4 2 2 2 2)
            (f32x4.sub (v128.const f32x4 255 255 255 255) (local.get $b))) (f32x4.sub (v128.const f32x4 255 255 255 255) (local.get $s)))
            (v128.const f32x4 255 255 255 255)))
          (f32x4.le (local.get $b) (v128.const f32x4 127.5 127.5 127.5 127.5))))))
    (if (i32.eq (global.get $blend) (i32.const 4))
      (then
        ;; soft light (Photoshop's), on 0..1: cs ≤ 0.5 ? 2·cb·cs + cb²·(1 − 2·cs) : 2·cb·(1 − cs) + √cb·(2·cs − 1)
        (local.set $cb (f32x4.div (local.get $b) (v128.const f32x4 255 255 255 255)))
        (local.set $cs (f32x4.div (local.get $s) (v128.const f32x4 255 255 255 255)))
        (return (f32x4.mul (v128.bitselect
          (f32x4.add (f32x4.mul (f32x4.mul (v128.const f32x4 2 2 2 2) (local.get $cb)) (local.get $cs))
            (f32x4.mul (f32x4.mul (local.get $cb) (local.get $cb)) (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (v128.const f32x4 2 2 2 2) (local.get $cs)))))
          (f32x4.add (f32x4.mul (f32x4.mul (v128.const f32x4 2 2 2 2) (local.get $cb)) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $cs)))
            (f32x4.mul (f32x4.sqrt (local.get $cb)) (f32x4.sub (f32x4.mul (v128.const f32x4 2 2 2 2) (local.get $cs)) (v128.const f32x4 1 1 1 1))))
          (f32x4.le (local.get $cs) (v128.const f32x4 0.5 0.5 0.5 0.5)))
          (v128.const f32x4 255 255 255 255)))))
    ;; darken and lighten: `b < s ? b : s` and `s < b ? b : s`
    (if (i32.eq (global.get $blend) (i32.const 5)) (then (return (f32x4.pmin (local.get $s) (local.get $b)))))
    (if (i32.eq (global.get $blend) (i32.const 6)) (then (return (f32x4.pmax (local.get $s) (local.get $b)))))
    (local.get $s))
)
