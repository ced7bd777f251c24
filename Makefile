# The two commands a newcomer needs (see README.md).
.PHONY: demo test
demo:
	./scripts/demo
test:
	./scripts/test
