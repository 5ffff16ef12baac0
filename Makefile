.PHONY: setup demo stop test fuzz client lint services-up services-down services-status

setup:  ## install and start everything, migrate; no demo data
	scripts/bootstrap.sh
	uv run --frozen python manage.py migrate_schemas --shared -v 0

demo:  ## set up, create the demo tenant, start web, worker and beat, print URLs and credentials
	scripts/demo.sh

stop:  ## stop the demo's web, worker and beat (services keep running: see services-down)
	scripts/demo.sh stop

test:  ## set up what the tests need and run the whole suite
	scripts/test.sh

fuzz:  ## schemathesis over the whole REST API against a real server (services must be up: make setup or make test)
	scripts/schemathesis.sh

client:  ## generate the Python client from a live server's OpenAPI into .client/ and run scripts/client_example.py with it
	scripts/client.sh

lint:
	uv run --frozen ruff check .
	uv run --frozen ruff format --check .
	uv run --frozen mypy .
	uv run --frozen lint-imports

services-up:
	scripts/services.sh up

services-down:
	scripts/services.sh down

services-status:
	scripts/services.sh status
