#!/bin/sh
# Creates one database per service on the first start of the PostgreSQL container.
set -eu
for db in registry segmentation engagement needs gateway; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -c "CREATE DATABASE guanxi_${db} OWNER \"$POSTGRES_USER\""
done
