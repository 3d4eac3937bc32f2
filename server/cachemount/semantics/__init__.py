"""What a Dockerfile means for caching: build state per instruction, users, base images,
package-manager invocations and their cache directories. Reads document/, shell/ and knowledge/."""
