-- A Supabase-shaped sample database for backup/restore tests, the demo and the Pester tests.
-- Run it with psql (or any client) in a FRESH, empty database. The roles are cluster-wide and
-- created only when missing, so the script also runs on a cluster that already has them.
-- Data is deterministic (generate_series), so two runs give the same fingerprint.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN NOINHERIT; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN NOINHERIT; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'service_role') THEN CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator') THEN CREATE ROLE authenticator LOGIN NOINHERIT; END IF;
END
$$;
GRANT anon, authenticated, service_role TO authenticator;

CREATE SCHEMA IF NOT EXISTS auth;
CREATE SCHEMA IF NOT EXISTS storage;
GRANT USAGE ON SCHEMA public, auth, storage TO anon, authenticated, service_role;

-- auth: users, and a helper like Supabase's auth.uid()
CREATE TYPE public.user_status AS ENUM ('invited', 'active', 'suspended', 'deleted');

CREATE TABLE auth.users (
  id uuid PRIMARY KEY,
  email text NOT NULL UNIQUE,
  status public.user_status NOT NULL DEFAULT 'active',
  raw_user_meta_data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz
);

CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;

INSERT INTO auth.users (id, email, status, raw_user_meta_data, created_at)
SELECT md5('user' || i)::uuid,
       'user' || i || '@example.com',
       (ARRAY['invited','active','suspended','deleted']::public.user_status[])[1 + i % 4],
       jsonb_build_object('name', 'Nutzer ' || i, 'tags', jsonb_build_array('a' || i % 3, 'b'), 'age', 18 + i % 60),
       timestamptz '2026-01-01 00:00:00+00' + make_interval(mins => i * 7)
FROM generate_series(1, 1000) AS i;

-- public: profiles (RLS), posts (sequence ids, arrays, numeric), a trigger function
CREATE TABLE public.profiles (
  id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
  username text NOT NULL UNIQUE,
  bio text,
  avatar bytea,
  balance numeric(14, 4) NOT NULL DEFAULT 0,
  interests text[] NOT NULL DEFAULT '{}',
  updated_at timestamptz
);

INSERT INTO public.profiles (id, username, bio, avatar, balance, interests)
SELECT md5('user' || i)::uuid,
       'user_' || i,
       CASE i % 4 WHEN 0 THEN 'Grüße aus Köln 🌍 ' || i WHEN 1 THEN '東京からこんにちは ' || i WHEN 2 THEN 'Привет, мир ' || i ELSE NULL END,
       decode(md5('avatar' || i) || md5('img' || i), 'hex'),
       round((i * 12.3456)::numeric, 4) - 5000,
       ARRAY['sql', 'backup', 'tag' || (i % 10)]
FROM generate_series(1, 1000) AS i;

CREATE TABLE public.posts (
  id bigserial PRIMARY KEY,
  author_id uuid NOT NULL REFERENCES public.profiles (id) ON DELETE CASCADE,
  title text NOT NULL,
  body text,
  scores int[] NOT NULL DEFAULT '{}',
  rating numeric(3, 2),
  published boolean NOT NULL DEFAULT false,
  metadata jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz
);

INSERT INTO public.posts (author_id, title, body, scores, rating, published, metadata, created_at)
SELECT md5('user' || (1 + i % 1000))::uuid,
       'Post #' || i || ' — “quoted” ' || chr(9731),
       repeat('Lorem ipsum ' || i || E'\n', 1 + i % 5),
       ARRAY[i % 7, i % 11, i % 13],
       round((i % 500) / 100.0, 2),
       i % 3 <> 0,
       jsonb_build_object('views', i * 3, 'source', CASE WHEN i % 2 = 0 THEN 'web' ELSE 'app' END, 'nested', jsonb_build_object('k', i)),
       timestamptz '2026-02-01 12:00:00+00' + make_interval(hours => i)
FROM generate_series(1, 3000) AS i;

CREATE FUNCTION public.set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
CREATE TRIGGER posts_set_updated_at BEFORE UPDATE ON public.posts FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
CREATE TRIGGER profiles_set_updated_at BEFORE UPDATE ON public.profiles FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- an independent sequence with a value that must survive
CREATE SEQUENCE public.invoice_number_seq START 1000 INCREMENT 5;
SELECT setval('public.invoice_number_seq', 4242);

-- a partitioned table (by month)
CREATE TABLE public.events (
  id bigint GENERATED ALWAYS AS IDENTITY,
  occurred_at timestamptz NOT NULL,
  kind text NOT NULL,
  payload jsonb,
  PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE TABLE public.events_2026_01 PARTITION OF public.events FOR VALUES FROM ('2026-01-01 00:00+00') TO ('2026-02-01 00:00+00');
CREATE TABLE public.events_2026_02 PARTITION OF public.events FOR VALUES FROM ('2026-02-01 00:00+00') TO ('2026-03-01 00:00+00');
CREATE TABLE public.events_default PARTITION OF public.events DEFAULT;

INSERT INTO public.events (occurred_at, kind, payload)
SELECT timestamptz '2026-01-01 00:00+00' + make_interval(mins => i * 31),
       (ARRAY['login', 'logout', 'upload', 'download'])[1 + i % 4],
       jsonb_build_object('i', i, 'ok', i % 5 <> 0)
FROM generate_series(1, 4000) AS i;

-- a materialized view
CREATE MATERIALIZED VIEW public.post_stats AS
SELECT author_id, count(*) AS posts, sum(rating) AS total_rating, max(created_at) AS last_post
FROM public.posts GROUP BY author_id;
CREATE UNIQUE INDEX post_stats_author ON public.post_stats (author_id);

-- storage: buckets and objects as Supabase Storage keeps them
CREATE TABLE storage.buckets (
  id text PRIMARY KEY,
  name text NOT NULL UNIQUE,
  public boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE storage.objects (
  id uuid PRIMARY KEY,
  bucket_id text NOT NULL REFERENCES storage.buckets (id),
  name text NOT NULL,
  owner uuid REFERENCES auth.users (id),
  metadata jsonb,
  path_tokens text[] GENERATED ALWAYS AS (string_to_array(name, '/')) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (bucket_id, name)
);
INSERT INTO storage.buckets (id, name, public, created_at) VALUES
  ('avatars', 'avatars', true, '2026-01-01 00:00+00'),
  ('documents', 'documents', false, '2026-01-01 00:00+00');
INSERT INTO storage.objects (id, bucket_id, name, owner, metadata, created_at)
SELECT md5('object' || i)::uuid,
       CASE WHEN i % 2 = 0 THEN 'avatars' ELSE 'documents' END,
       'folder' || (i % 10) || '/file-' || i || '.bin',
       md5('user' || (1 + i % 1000))::uuid,
       jsonb_build_object('size', i * 100, 'mimetype', 'application/octet-stream'),
       timestamptz '2026-03-01 00:00+00' + make_interval(secs => i)
FROM generate_series(1, 2000) AS i;

-- row-level security, as Supabase projects use it
ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.posts ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Profiles are public" ON public.profiles FOR SELECT TO anon, authenticated USING (true);
CREATE POLICY "Users update their own profile" ON public.profiles FOR UPDATE TO authenticated
  USING (auth.uid() = id) WITH CHECK (auth.uid() = id);
CREATE POLICY "Published posts are public" ON public.posts FOR SELECT TO anon, authenticated USING (published);
CREATE POLICY "Authors manage their posts" ON public.posts FOR ALL TO authenticated
  USING (auth.uid() = author_id) WITH CHECK (auth.uid() = author_id);
CREATE POLICY "Public avatars" ON storage.objects FOR SELECT TO anon USING (bucket_id = 'avatars');
CREATE POLICY "Owners read their documents" ON storage.objects FOR SELECT TO authenticated USING (owner = auth.uid());

-- grants
GRANT SELECT ON public.profiles, public.posts, public.post_stats TO anon;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.profiles, public.posts TO authenticated;
GRANT USAGE ON SEQUENCE public.posts_id_seq TO authenticated;
GRANT ALL ON ALL TABLES IN SCHEMA public, auth, storage TO service_role;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO service_role;
GRANT SELECT ON storage.buckets, storage.objects TO anon, authenticated;

ANALYZE;
