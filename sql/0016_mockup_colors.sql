-- The colourway a mockup shows (null: the template as photographed), so history and a batch's
-- ZIP can name it.
alter table mockups add column color text;

-- Mockups made before this in colours: their set's job still says which (payload `colors`, one
-- per entry), and each mockup's id derives from the job and its entry's index (src/util/uuid.ts:
-- sha256 of "job id \0 mockup \0 index", version 8 and the RFC 9562 variant set). Jobs already
-- pruned cannot say; those mockups stay null.
update mockups m
set color = c.color
from (
  select j.id as job_id, e.color,
    set_byte(set_byte(h, 6, (get_byte(h, 6) & 15) | 128), 8, (get_byte(h, 8) & 63) | 128) as id_bytes
  from jobs j
  cross join lateral jsonb_array_elements_text(j.payload -> 'colors') with ordinality as e(color, ord)
  cross join lateral (
    select sha256(convert_to(j.id::text, 'UTF8') || '\x00'::bytea || convert_to('mockup', 'UTF8') || '\x00'::bytea || convert_to((e.ord - 1)::text, 'UTF8')) as h
  ) d
  where j.type = 'mockup-set' and jsonb_typeof(j.payload -> 'colors') = 'array' and e.color is not null
) c
where m.job_id = c.job_id and m.id = encode(substring(c.id_bytes from 1 for 16), 'hex')::uuid;
